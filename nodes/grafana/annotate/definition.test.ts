import { describe, expect, it } from 'vitest';
import { TEST_NOW, testAlert, testContext } from '../../../test/kit/nodes.js';
import type { Resolved } from '../../executor.js';
import { alertDashboard, annotationBody, annotationTags, annotationTarget, markerTag, reasonOf } from './annotation.js';
import { AnnotateConfigSchema, grafanaAnnotate, type AnnotateConfig } from './definition.js';
import { node } from './node.js';

const base = { url: 'https://grafana.example.internal', token: { secret: 'GRAFANA_TOKEN' } };
const messages = (input: Record<string, unknown>) => {
  const parsed = AnnotateConfigSchema.safeParse({ ...base, ...input });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const config = (input: Record<string, unknown> = {}) => ({ ...AnnotateConfigSchema.parse({ ...base, ...input }), token: 'TOKEN' }) as Resolved<AnnotateConfig>;

describe('grafana.annotate config', () => {
  it('defaults to a point annotation tagged salve and the alert’s name, with the flow’s name as text', () => {
    expect(AnnotateConfigSchema.parse(base)).toEqual({ ...base, text: 'Salve ran {{ flow.name }}', tags: ['salve', '{{ alert.name }}'], span: 'point', timeoutSeconds: 10 });
    expect(grafanaAnnotate.expressions(AnnotateConfigSchema.parse(base)).map((e) => e.path)).toEqual([['text'], ['tags', 1]]);
  });

  it('takes a written-out URL with a sub-path, and refuses templates, credentials and queries in it', () => {
    expect(messages({ url: 'https://example.internal/grafana' })).toEqual([]);
    expect(messages({ url: undefined })[0]).toMatch(/^url: url is required/);
    expect(messages({ url: 'https://{{ alert.labels.grafana }}' })[0]).toMatch(/^url: must be written out/);
    expect(messages({ url: 'https://admin:admin@grafana.example.internal' })[0]).toMatch(/^url: must not carry credentials/);
    expect(messages({ url: 'https://grafana.example.internal/?orgId=2' })[0]).toMatch(/^url: must have no query/);
  });

  it('names the field: a token that is not a secret, a dashboard UID or panel id that is not one, bad tags, text or span', () => {
    expect(messages({ token: 'glsa_abc' })[0]).toMatch(/^token: /);
    expect(messages({ dashboardUid: 'has spaces' })).toEqual(['dashboardUid: must be a dashboard UID (letters, digits, - and _, at most 40) or a template giving one']);
    expect(messages({ dashboardUid: 'x'.repeat(41) })[0]).toMatch(/^dashboardUid: must be a dashboard UID/);
    expect(messages({ dashboardUid: '{{ alert.labels.dashboard }}', panelId: '{{ alert.labels.panel }}' })).toEqual([]);
    expect(messages({ panelId: 'four' })).toEqual(['panelId: must be a panel id (a whole number, e.g. "4") or a template giving one']);
    expect(messages({ panelId: 4 })).toEqual(['panelId: must be text: a panel id like "4", or a template']);
    expect(messages({ tags: ['ok', ''] })).toEqual(['tags.1: must not be empty']);
    expect(messages({ tags: ['x'.repeat(101)] })).toEqual(['tags.0: must be at most 100 characters']);
    expect(messages({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toEqual(['tags: at most 20 tags']);
    expect(messages({ text: ' ' })).toEqual(['text: must not be empty']);
    expect(messages({ span: 'forever' })).toEqual(['span: must be point or since-alert']);
    expect(messages({ timeoutSeconds: 500 })).toEqual(['timeoutSeconds: must be between 1 and 120 seconds']);
  });
});

describe('the alert’s dashboard and panel', () => {
  it('come from a Grafana webhook alert’s links (with a sub-path, a slug, or a newer panel-N viewPanel)', () => {
    const raw = { dashboardURL: 'https://example.internal/grafana/d/node-disk/node-disk?orgId=1', panelURL: 'https://example.internal/grafana/d/node-disk?orgId=1&viewPanel=panel-4' };
    expect(alertDashboard(testAlert({ raw }))).toEqual({ dashboardUid: 'node-disk', panelId: '4' });
    // Only the panel link (links.dashboard is dashboardURL, else panelURL).
    expect(alertDashboard(testAlert({ raw: { panelURL: 'https://g/d/abc_1?viewPanel=7' } }))).toEqual({ dashboardUid: 'abc_1', panelId: '7' });
    expect(alertDashboard(testAlert({ links: { dashboard: 'https://g/d/from-link?orgId=1' } }))).toEqual({ dashboardUid: 'from-link' });
  });

  it('come first from the reserved annotations (or labels) of a Grafana-managed rule', () => {
    expect(alertDashboard(testAlert({ annotations: { __dashboardUid__: 'pg', __panelId__: '12' }, raw: { dashboardURL: 'https://g/d/other' } }))).toEqual({ dashboardUid: 'pg', panelId: '12' });
    expect(alertDashboard(testAlert({ labels: { __dashboardUid__: 'pg' } }))).toEqual({ dashboardUid: 'pg' });
  });

  it('ignore what is not a UID or a panel id, and links that are not URLs', () => {
    expect(alertDashboard(testAlert({ annotations: { __dashboardUid__: '../x', __panelId__: '1 OR 1' }, raw: { dashboardURL: 'not a url', panelURL: 'https://g/d/a%20b?viewPanel=x' } }))).toEqual({});
    expect(alertDashboard(testAlert({ raw: 'a string' }))).toEqual({});
  });

  it('are replaced by what the config names; the alert’s panel only goes with the alert’s dashboard', () => {
    const alert = testAlert({ annotations: { __dashboardUid__: 'pg', __panelId__: '12' } });
    expect(annotationTarget({}, alert)).toEqual({ dashboardUid: 'pg', panelId: 12 });
    expect(annotationTarget({ panelId: '3' }, alert)).toEqual({ dashboardUid: 'pg', panelId: 3 });
    expect(annotationTarget({ dashboardUid: 'mine' }, alert)).toEqual({ dashboardUid: 'mine', panelId: null });
    expect(annotationTarget({ dashboardUid: '', panelId: '3' }, alert)).toEqual({ dashboardUid: null, panelId: null });
    expect(annotationTarget({}, testAlert())).toEqual({ dashboardUid: null, panelId: null });
  });
});

describe('the annotation', () => {
  it('carries the rendered tags, trimmed, cut and without repeats, and the step’s marker last', () => {
    expect(markerTag('ex:node')).toMatch(/^salve:[0-9a-f]{12}$/);
    expect(markerTag('ex:node')).toBe(markerTag('ex:node'));
    expect(markerTag('ex:node')).not.toBe(markerTag('ex:other'));
    expect(annotationTags([' salve ', '', 'salve', 'x'.repeat(150)], 'ex:node')).toEqual(['salve', `${'x'.repeat(99)}…`, markerTag('ex:node')]);
  });

  it('is a point at the step’s time, or a region from the alert’s start (a point when that is unknown or later)', () => {
    const vars = { ...testContext().vars, alert: testAlert({ startsAt: '2026-11-24T00:00:00.000Z' }) };
    const at = { now: TEST_NOW, idempotencyKey: 'ex:n', runUrl: 'https://salve.example/#/runs/ex' };
    expect(annotationBody(config({ text: 'Restarted postgresql' }), vars, at)).toEqual({
      body: { time: TEST_NOW.getTime(), tags: ['salve', '{{ alert.name }}', markerTag('ex:n')], text: 'Restarted postgresql\nSalve run: https://salve.example/#/runs/ex' },
      target: { dashboardUid: null, panelId: null },
    });
    expect(annotationBody(config({ span: 'since-alert' }), vars, at)).toMatchObject({ body: { time: Date.parse('2026-11-24T00:00:00.000Z'), timeEnd: TEST_NOW.getTime() } });
    const later = { ...vars, alert: testAlert({ startsAt: '2026-11-24T02:00:00.000Z' }) };
    expect((annotationBody(config({ span: 'since-alert' }), later, at) as { body: object }).body).not.toHaveProperty('timeEnd');
    const unknown = { ...vars, alert: testAlert({ startsAt: '' }) };
    expect((annotationBody(config({ span: 'since-alert' }), unknown, at) as { body: { time: number } }).body.time).toBe(TEST_NOW.getTime());
  });

  it('reads Grafana’s refusal words', () => {
    expect(reasonOf({ status: 403, json: { message: 'Access denied', title: 'x' }, text: '' })).toBe('Access denied');
    expect(reasonOf({ status: 400, json: { message: 'bad request data', error: 'invalid character' }, text: '' })).toBe('bad request data: invalid character');
    expect(reasonOf({ status: 502, json: undefined, text: 'Bad Gateway' })).toBe('Bad Gateway');
    expect(reasonOf({ status: 502, json: undefined, text: '' })).toBe('no reason given');
  });

  it('is what the Test panel previews, without the token', () => {
    const preview = node.preview!(config({ url: 'https://example.internal/grafana/', text: 'Cleaned up' }), {
      vars: { ...testContext().vars, alert: testAlert({ annotations: { __dashboardUid__: 'pg' } }) },
    });
    expect(preview).toMatchObject({
      to: 'POST https://example.internal/grafana/api/annotations',
      body: { dashboardUID: 'pg', tags: ['salve', '{{ alert.name }}', markerTag('ex_test:preview')], text: 'Cleaned up\nSalve run: ex_test' },
    });
    expect(JSON.stringify(preview)).not.toContain('TOKEN');
  });
});
