import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/schema.js';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { startTarget, type ReceivedRequest, type Target } from '../../../test/kit/target.js';
import type { Resolved } from '../../executor.js';
import { normalizePagerDuty } from '../../source/pagerduty/ingest.js';
import { pagerdutySamples } from '../../source/pagerduty/samples.js';
import { pagerdutyIncident, PagerDutyIncidentConfigSchema, type PagerDutyIncidentConfig } from './definition.js';
import { executePagerDutyIncident } from './execute.js';
import type { PagerDutyIncidentOutput } from './output.js';

/**
 * A loopback stand-in for PagerDuty's REST API v2 (there is no PagerDuty to run in a test). It
 * answers the way the API documents: the key as `Authorization: Token token=<key>`, the acting
 * user in `From`, the incident as `{ incident: … }` (200) and a created note as `{ note: … }`
 * (201), and every refusal as `{ "error": { "message", "code", "errors" } }`. It keeps the
 * incidents' statuses and notes, so tests see what a step changed.
 */
const KEY = 'y_NbAkKc66ryYTWUXYEu';
const USER = 'oncall@example.com';
/** The incident of the source.pagerduty sample (its alert's fingerprint). */
const INCIDENT = 'Q1DISKFULL0DB1';

const pdError = (status: number, message: string, code: number, errors?: string[]) => ({
  status,
  body: JSON.stringify({ error: { message, code, ...(errors ? { errors } : {}) } }),
});

interface StoredNote {
  id: string;
  content: string;
}
let incidents: Map<string, string>;
let notes: Map<string, StoredNote[]>;
/** A status to answer every request with instead (429, 500…), when a test sets one. */
let forced: { status: number; body: string } | undefined;
/** While set, requests wait for it: a PagerDuty that does not answer. */
let hang: Promise<void> | undefined;

function answer(req: ReceivedRequest): { status: number; body?: string } {
  if (forced) return forced;
  if (req.headers.authorization !== `Token token=${KEY}`) return pdError(401, 'Authentication failed', 2006);
  const path = new URL(req.url, 'http://pd').pathname;
  const match = /^\/incidents\/([A-Za-z0-9]+)(\/notes)?$/.exec(path);
  if (!match || !incidents.has(match[1]!)) return pdError(404, 'Not Found', 2100);
  const id = match[1]!;
  if (req.method === 'GET' && match[2]) return { status: 200, body: JSON.stringify({ notes: notes.get(id) ?? [] }) };
  if (req.headers.from !== USER) return pdError(400, 'Invalid Input Provided', 2001, ['Requester User Not Found']);
  const body = JSON.parse(req.body) as { incident?: { type?: string; status?: string }; note?: { content?: string } };
  if (req.method === 'POST' && match[2]) {
    if (!body.note?.content) return pdError(400, 'Invalid Input Provided', 2001, ['Content cannot be empty.']);
    const note = { id: `PNOTE${(notes.get(id)?.length ?? 0) + 1}`, content: body.note.content };
    notes.set(id, [...(notes.get(id) ?? []), note]);
    return { status: 201, body: JSON.stringify({ note: { ...note, user: { id: 'PU2DB0A', type: 'user_reference' }, created_at: '2026-11-24T01:00:00Z' } }) };
  }
  if (req.method === 'PUT' && !match[2] && body.incident?.type === 'incident_reference') {
    const wanted = body.incident.status;
    if (wanted !== 'acknowledged' && wanted !== 'resolved') return pdError(400, 'Invalid Input Provided', 2001, ['Status must be acknowledged or resolved.']);
    if (incidents.get(id) === 'resolved') return pdError(400, 'Incident Already Resolved', 1001);
    incidents.set(id, wanted);
    return { status: 200, body: JSON.stringify({ incident: { id, type: 'incident', status: wanted, incident_number: 1234 } }) };
  }
  return pdError(400, 'Invalid Input Provided', 2001, ['unexpected request']);
}

let pd: Target;
beforeAll(async () => {
  pd = await startTarget(async (req) => {
    if (hang) await hang;
    return answer(req);
  });
});
afterAll(async () => {
  await pd?.close();
});
afterEach(() => {
  forced = undefined;
});
const reset = () => {
  incidents = new Map([[INCIDENT, 'triggered']]);
  notes = new Map();
  pd.requests.length = 0;
};

/** The run's alert as source.pagerduty makes it from its "triggered" sample. */
const pagerDutyAlert = (): Alert => normalizePagerDuty(pagerdutySamples[0]!.payload)[0]!;

async function step(
  input: Record<string, unknown>,
  options: { alert?: Alert; attempt?: number; allowed?: string[]; keyHosts?: string[]; runUrl?: string; url?: string; steps?: Record<string, unknown> } = {},
) {
  const policy = new DestinationPolicy({
    allowedTargets: options.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_PD_API_KEY_HOSTS: where the key may be sent.
    secretHosts: (name) => (name === 'PD_API_KEY' ? (options.keyHosts ?? ['127.0.0.1']) : undefined),
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const ctx = testContext({
    network: policy.forStep({ secrets: ['PD_API_KEY'] }),
    attempt: options.attempt ?? 1,
    executionId: 'ex-pd-1',
    idempotencyKey: 'ex-pd-1:update_incident',
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    vars: { alert: options.alert ?? pagerDutyAlert(), steps: options.steps ?? {}, execution: { id: 'ex-pd-1', startedAt: '2026-11-24T01:00:00.000Z' } },
  });
  const config = PagerDutyIncidentConfigSchema.parse({ token: { secret: 'PD_API_KEY' }, from: USER, baseUrl: options.url ?? pd.url, ...input });
  const rendered = renderConfig(config, pagerdutyIncident.expressions(config), ctx.vars, (name) => (name === 'PD_API_KEY' ? KEY : undefined));
  const outcome = await executePagerDutyIncident(rendered.value as Resolved<PagerDutyIncidentConfig>, { ...ctx, secrets: rendered.secrets });
  return { outcome, output: (outcome as { output: PagerDutyIncidentOutput }).output, error: (outcome as { error?: string }).error };
}

describe('pagerduty.incident executor', () => {
  it('acknowledges the incident that started the run, sending exactly what PagerDuty documents', async () => {
    reset();
    const { outcome } = await step({ action: 'acknowledge' });
    expect(outcome).toEqual({
      type: 'next',
      port: 'ok',
      output: { action: 'acknowledge', incidentId: INCIDENT, status: 200, message: `acknowledged incident ${INCIDENT}`, incidentStatus: 'acknowledged', durationMs: expect.any(Number) },
    });
    expect(pd.requests).toHaveLength(1);
    const sent = pd.requests[0]!;
    expect(sent.method).toBe('PUT');
    expect(sent.url).toBe(`/incidents/${INCIDENT}`);
    expect(sent.headers).toMatchObject({
      accept: 'application/vnd.pagerduty+json;version=2',
      'content-type': 'application/json',
      from: USER,
      authorization: `Token token=${KEY}`,
    });
    expect(JSON.parse(sent.body)).toEqual({ incident: { type: 'incident_reference', status: 'acknowledged' } });
    expect(incidents.get(INCIDENT)).toBe('acknowledged');
    // The key never reaches the output.
    expect(JSON.stringify(outcome)).not.toContain(KEY);
  });

  it('resolves, and a repeat (a retry after a crash) finds it already resolved and succeeds', async () => {
    reset();
    const first = await step({ action: 'resolve' });
    expect(first.outcome).toMatchObject({ type: 'next', port: 'ok', output: { status: 200, incidentStatus: 'resolved' } });
    expect(JSON.parse(pd.requests[0]!.body)).toEqual({ incident: { type: 'incident_reference', status: 'resolved' } });
    expect(incidents.get(INCIDENT)).toBe('resolved');

    const again = await step({ action: 'resolve' }, { attempt: 2 });
    expect(again.outcome).toMatchObject({
      type: 'next',
      port: 'ok',
      output: { status: 400, already: true, incidentStatus: 'resolved', message: `incident ${INCIDENT} was already resolved` },
    });
  });

  it('fails to acknowledge a resolved incident, in PagerDuty’s words', async () => {
    reset();
    incidents.set(INCIDENT, 'resolved');
    const { outcome, error } = await step({ action: 'acknowledge' });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 400, incidentStatus: 'resolved' } });
    expect(error).toBe(`incident ${INCIDENT} is already resolved: there is nothing to acknowledge (PagerDuty answered 400: Incident Already Resolved (code 1001))`);
  });

  it('adds a note ending with the run’s link and the step’s marker, and keeps it when the step is retried', async () => {
    reset();
    const runUrl = 'https://salve.example/#/runs/ex-pd-1';
    const { outcome } = await step({ action: 'note', note: 'Cleaned {{ alert.labels.service }} logs' }, { runUrl });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'note', status: 201, noteId: 'PNOTE1', incidentId: INCIDENT } });
    const sent = pd.requests[0]!;
    expect([sent.method, sent.url]).toEqual(['POST', `/incidents/${INCIDENT}/notes`]);
    expect(sent.headers).toMatchObject({ from: USER, authorization: `Token token=${KEY}`, accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json' });
    expect(JSON.parse(sent.body)).toEqual({ note: { content: `Cleaned postgresql logs\nSalve run: ${runUrl} [salve ex-pd-1:update_incident]` } });

    // The retry looks through the incident's notes first, finds its own and posts nothing.
    pd.requests.length = 0;
    const retried = await step({ action: 'note', note: 'Cleaned {{ alert.labels.service }} logs' }, { runUrl, attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok', output: { noteId: 'PNOTE1', reused: true, status: 201 } });
    expect(pd.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /incidents/${INCIDENT}/notes`]);
    expect(pd.requests[0]!.headers.authorization).toBe(`Token token=${KEY}`);
    expect(notes.get(INCIDENT)).toHaveLength(1);
  });

  it('posts on a retry whose first try never reached PagerDuty, and on a first try without looking', async () => {
    reset();
    notes.set(INCIDENT, [{ id: 'PNOTE0', content: 'a person wrote this' }]);
    const retried = await step({ action: 'note' }, { attempt: 2 });
    expect(retried.output).toMatchObject({ noteId: 'PNOTE2', status: 201 });
    expect(retried.output.reused).toBeUndefined();
    // The default note: the flow's name, then the run's id (no SALVE_PUBLIC_ORIGIN here).
    expect(JSON.parse(pd.requests.at(-1)!.body).note.content).toBe('Salve ran Disk full\nSalve run: ex-pd-1 [salve ex-pd-1:update_incident]');
    pd.requests.length = 0;
    await step({ action: 'note' });
    expect(pd.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('acts on the incident incidentId names, encoded, and refuses one that is not an incident id before sending', async () => {
    reset();
    incidents.set('PT4KHLK', 'triggered');
    const named = await step({ action: 'resolve', incidentId: '{{ steps.find.id }}' }, { alert: testAlert(), steps: { find: { id: 'PT4KHLK' } } });
    expect(named.outcome).toMatchObject({ type: 'next', port: 'ok', output: { incidentId: 'PT4KHLK' } });
    expect(pd.requests.at(-1)!.url).toBe('/incidents/PT4KHLK');

    const before = pd.requests.length;
    const hostile = await step({ action: 'resolve', incidentId: '{{ alert.labels.instance }}' }, { alert: testAlert({ labels: { instance: '../../users/PXYZ?x=1' } }) });
    expect(hostile.outcome).toMatchObject({ type: 'fail', port: 'error', output: { incidentId: null, status: null } });
    expect(hostile.error).toBe('incidentId is "../../users/PXYZ?x=1", not a PagerDuty incident id (letters and digits, e.g. PT4KHLK)');
    expect(pd.requests.length).toBe(before);
  });

  it('fails clearly, sending nothing, when the run was not started by a PagerDuty incident', async () => {
    reset();
    const { outcome, error } = await step({ action: 'acknowledge' }, { alert: testAlert() });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { incidentId: null, status: null } });
    expect(error).toBe('the run\'s alert comes from "alertmanager", not from a PagerDuty webhook, so it names no incident: set incidentId');
    expect(pd.requests).toHaveLength(0);
  });

  it('reports PagerDuty’s refusals in its words: unknown user, bad key, unknown incident, forbidden', async () => {
    reset();
    const unknownUser = await step({ action: 'acknowledge', from: 'someone@example.com' });
    expect(unknownUser.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 400, errors: ['Requester User Not Found'] } });
    expect(unknownUser.error).toBe('PagerDuty answered 400: Invalid Input Provided; Requester User Not Found (code 2001)');

    forced = pdError(401, 'Authentication failed', 2006);
    const badKey = await step({ action: 'acknowledge' });
    expect(badKey.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 401 } });
    expect(badKey.error).toBe('PagerDuty answered 401: Authentication failed (code 2006)');

    forced = pdError(403, 'Access Denied', 2010);
    expect((await step({ action: 'note' })).error).toBe('PagerDuty answered 403: Access Denied (code 2010)');
    forced = undefined;

    const unknown = await step({ action: 'resolve', incidentId: 'PNOSUCH' });
    expect(unknown.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 404, incidentId: 'PNOSUCH' } });
    expect(unknown.error).toBe('PagerDuty answered 404: Not Found (code 2100)');
    expect(incidents.get(INCIDENT)).toBe('triggered');
  });

  it('says it was rate limited on a 429, and reports a 5xx', async () => {
    reset();
    forced = pdError(429, 'Rate Limit Exceeded', 2020);
    const limited = await step({ action: 'acknowledge' });
    expect(limited.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 429 } });
    expect(limited.error).toBe('rate limited by PagerDuty (429); try again later: Rate Limit Exceeded (code 2020)');

    forced = pdError(500, 'An internal error has occurred. PagerDuty team has been notified.', 2000);
    const broken = await step({ action: 'note' });
    expect(broken.error).toBe('PagerDuty answered 500: An internal error has occurred. PagerDuty team has been notified. (code 2000)');
    forced = { status: 502, body: '<html>Bad Gateway</html>' };
    expect((await step({ action: 'resolve' })).error).toBe('PagerDuty answered 502: <html>Bad Gateway</html>');
  });

  it('gives up at its timeout, and reports a refused connection', async () => {
    reset();
    let release!: () => void;
    hang = new Promise((resolve) => (release = resolve));
    try {
      const slow = await step({ action: 'acknowledge', timeoutSeconds: 1 });
      expect(slow.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
      expect(slow.error).toMatch(/timed out after 1 s/);
    } finally {
      hang = undefined;
      release();
    }
    const closed = await startTarget();
    await closed.close();
    const refused = await step({ action: 'acknowledge' }, { url: closed.url });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(refused.error).toMatch(/ECONNREFUSED|refused/i);
  });

  it('sends nothing where the destination policy forbids, nor where the key may not go', async () => {
    reset();
    const forbidden = await step({ action: 'acknowledge' }, { allowed: [] });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(forbidden.error).toContain('SALVE_ALLOWED_TARGETS');
    // The key is bound to PagerDuty's real host: the stand-in may not receive it.
    const keyBound = await step({ action: 'acknowledge' }, { keyHosts: ['api.pagerduty.com'] });
    expect(keyBound.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(keyBound.error).toContain('secret PD_API_KEY may not be sent');
    expect(pd.requests).toHaveLength(0);
    expect(incidents.get(INCIDENT)).toBe('triggered');
  });
});
