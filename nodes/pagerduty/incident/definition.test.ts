import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import type { Resolved } from '../../executor.js';
import { pagerdutyIncident, PagerDutyIncidentConfigSchema, type PagerDutyIncidentConfig } from './definition.js';
import { node } from './node.js';
import { presentPagerDutyIncidentOutput } from './output.js';
import { incidentIdOf, incidentRequest, pagerDutyHeaders, reasonOf, saysAlready } from './request.js';

const base = { token: { secret: 'PD_API_KEY' }, from: 'oncall@example.com' };
const messages = (input: Record<string, unknown>) => {
  const parsed = PagerDutyIncidentConfigSchema.safeParse({ ...base, ...input });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const config = (input: Record<string, unknown> = {}) => ({ ...PagerDutyIncidentConfigSchema.parse({ ...base, ...input }), token: 'KEY' }) as Resolved<PagerDutyIncidentConfig>;

describe('pagerduty.incident config', () => {
  it('defaults to acknowledging the run’s incident at PagerDuty’s US API', () => {
    expect(PagerDutyIncidentConfigSchema.parse(base)).toEqual({
      ...base,
      action: 'acknowledge',
      note: 'Salve ran {{ flow.name }}',
      baseUrl: 'https://api.pagerduty.com',
      timeoutSeconds: 10,
    });
    expect(messages({ baseUrl: 'https://api.eu.pagerduty.com' })).toEqual([]);
  });

  it('names the field: an unknown action, a token that is not a secret, a from that is not a written-out e-mail', () => {
    expect(messages({ action: 'snooze' })).toEqual(['action: must be acknowledge, resolve or note']);
    expect(messages({ token: 'y_NbAkKc66ryYTWUXYEu' })[0]).toMatch(/^token: /);
    expect(messages({ from: undefined })).toEqual(['from: from is required: the e-mail address of a PagerDuty user, e.g. oncall@example.com']);
    expect(messages({ from: 'oncall' })).toEqual(['from: must be the e-mail address of a PagerDuty user, e.g. oncall@example.com']);
    expect(messages({ from: 'a@b.c\r\nX-Evil: 1' })).toEqual(['from: must be the e-mail address of a PagerDuty user, e.g. oncall@example.com']);
    expect(messages({ from: '{{ alert.labels.owner }}' })).toEqual(['from: must be written out: the e-mail address of a PagerDuty user, not a template']);
  });

  it('names the field: an empty incident id or note, a templated or credentialed API URL, a timeout out of range', () => {
    expect(messages({ incidentId: ' ' })).toEqual(['incidentId: must not be empty (leave incidentId out to use the incident that started the run)']);
    expect(messages({ action: 'note', note: '' })).toEqual(['note: must not be empty']);
    expect(messages({ note: 'x'.repeat(10_001) })[0]).toMatch(/^note: /);
    expect(messages({ baseUrl: 'https://{{ alert.labels.pd }}' })[0]).toMatch(/^baseUrl: must be written out/);
    expect(messages({ baseUrl: 'https://user:pw@api.pagerduty.com' })[0]).toMatch(/^baseUrl: must not carry credentials/);
    expect(messages({ timeoutSeconds: 0 })).toEqual(['timeoutSeconds: must be between 1 and 120 seconds']);
  });

  it('renders incidentId, and the note only when it is sent', () => {
    expect(pagerdutyIncident.expressions(PagerDutyIncidentConfigSchema.parse({ ...base, incidentId: '{{ steps.a.id }}' })).map((e) => e.path)).toEqual([['incidentId']]);
    expect(pagerdutyIncident.expressions(PagerDutyIncidentConfigSchema.parse({ ...base, action: 'note' })).map((e) => e.path)).toEqual([['note']]);
  });
});

describe('the incident a step acts on', () => {
  it('is the PagerDuty alert’s incident (its fingerprint), or incidentId as rendered', () => {
    expect(incidentIdOf({}, testAlert({ source: 'pagerduty', fingerprint: 'Q1DISKFULL0DB1' }))).toEqual({ id: 'Q1DISKFULL0DB1' });
    expect(incidentIdOf({ incidentId: 'PT4KHLK' }, testAlert())).toEqual({ id: 'PT4KHLK' });
  });

  it('is none for another source, an empty rendering, or anything but letters and digits', () => {
    expect(incidentIdOf({}, testAlert({ source: 'grafana' }))).toEqual({
      problem: 'the run\'s alert comes from "grafana", not from a PagerDuty webhook, so it names no incident: set incidentId',
    });
    expect(incidentIdOf({ incidentId: '' }, testAlert())).toEqual({ problem: 'incidentId rendered empty: the run has no incident id there' });
    expect(incidentIdOf({ incidentId: 'P1/../x' }, testAlert())).toMatchObject({ problem: expect.stringContaining('not a PagerDuty incident id') });
    expect(incidentIdOf({}, testAlert({ source: 'pagerduty', fingerprint: 'a b' }))).toMatchObject({ problem: expect.stringContaining('set incidentId') });
  });
});

describe('the request', () => {
  const vars = testContext().vars;

  it('sets a status with an incident reference, or posts the note with the run and the step’s marker', () => {
    expect(incidentRequest(config({ action: 'resolve' }), 'PT4KHLK', vars, { idempotencyKey: 'ex:n' })).toEqual({
      method: 'PUT',
      url: new URL('https://api.pagerduty.com/incidents/PT4KHLK'),
      body: { incident: { type: 'incident_reference', status: 'resolved' } },
    });
    const note = incidentRequest(config({ action: 'note', note: 'x'.repeat(10_000), baseUrl: 'https://pd.example.internal/proxy/' }), 'PT4KHLK', vars, {
      idempotencyKey: 'ex:n',
      runUrl: 'https://salve.example/#/runs/ex',
    });
    expect(note.url.href).toBe('https://pd.example.internal/proxy/incidents/PT4KHLK/notes');
    expect((note.body as { note: { content: string } }).note.content).toBe(`${'x'.repeat(10_000)}\nSalve run: https://salve.example/#/runs/ex [salve ex:n]`);
  });

  it('sends PagerDuty’s media type, the key as a token and the acting user', () => {
    expect(pagerDutyHeaders({ token: 'KEY', from: 'oncall@example.com' })).toEqual({
      Accept: 'application/vnd.pagerduty+json;version=2',
      Authorization: 'Token token=KEY',
      From: 'oncall@example.com',
    });
  });

  it('reads PagerDuty’s error object, and knows its “already” answers', () => {
    const answer = (json: unknown, text = JSON.stringify(json)) => ({ status: 400, json, text });
    expect(reasonOf(answer({ error: { message: 'Invalid Input Provided', code: 2001, errors: ['Requester User Not Found'] } }))).toBe(
      'Invalid Input Provided; Requester User Not Found (code 2001)',
    );
    expect(reasonOf(answer(undefined, 'upstream down'))).toBe('upstream down');
    expect(reasonOf(answer(undefined, ''))).toBe('no reason given');
    expect(saysAlready({ code: 1001, errors: [] }, 'resolved')).toBe(true);
    expect(saysAlready({ message: 'Invalid Input Provided', code: 2001, errors: ['Incident Already Acknowledged'] }, 'acknowledged')).toBe(true);
    expect(saysAlready({ code: 1001, errors: [] }, 'acknowledged')).toBe(false);
    expect(saysAlready(undefined, 'resolved')).toBe(false);
  });

  it('is what the Test panel previews, without the key', () => {
    const preview = node.preview!(config({ action: 'note', note: 'Cleaned up' }), {
      vars: { ...testContext().vars, alert: testAlert({ source: 'pagerduty', fingerprint: 'Q1DISKFULL0DB1' }) },
    });
    expect(JSON.stringify(preview)).not.toContain('KEY');
    expect(preview).toEqual({
      to: 'POST https://api.pagerduty.com/incidents/Q1DISKFULL0DB1/notes',
      body: { note: { content: 'Cleaned up\nSalve run: ex_test [salve ex_test:preview]' } },
    });
    expect(node.preview!(config(), { vars: testContext().vars })).toEqual({ to: 'acknowledge (nothing sent)', body: expect.stringContaining('set incidentId') });
  });
});

describe('the run view', () => {
  it('shows an “already” answer as done, and a refusal with PagerDuty’s details', () => {
    const already = presentPagerDutyIncidentOutput({ action: 'resolve', incidentId: 'PT4KHLK', status: 400, message: 'incident PT4KHLK was already resolved', already: true, errors: ['x'] });
    expect(already.facts).toContainEqual({ label: 'HTTP status', text: '400', tone: 'ok', status: true });
    expect(already.blocks).toEqual([{ kind: 'note', text: 'incident PT4KHLK was already resolved', tone: 'muted' }]);
    const refused = presentPagerDutyIncidentOutput({ action: 'note', incidentId: 'PT4KHLK', status: 400, message: 'PagerDuty answered 400', errors: ['Requester User Not Found'] });
    expect(refused.facts).toContainEqual({ label: 'HTTP status', text: '400', tone: 'error', status: true });
    expect(refused.blocks).toContainEqual({ kind: 'note', text: 'Requester User Not Found', tone: 'error' });
    expect(presentPagerDutyIncidentOutput({ action: 'note', incidentId: null, status: null, message: 'no incident' }).facts).toContainEqual({ label: 'HTTP status', missing: 'No answer' });
  });
});
