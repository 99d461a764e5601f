import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/schema.js';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { TEST_NOW, testAlert, testContext } from '../../../test/kit/nodes.js';
import { startTarget, type ReceivedRequest, type Target } from '../../../test/kit/target.js';
import type { Resolved } from '../../executor.js';
import { normalizeGrafana } from '../../source/grafana/ingest.js';
import { grafanaSamples } from '../../source/grafana/samples.js';
import { AnnotateConfigSchema, grafanaAnnotate, type AnnotateConfig } from './definition.js';
import { executeAnnotate } from './execute.js';
import type { AnnotationOutput } from './output.js';

/**
 * A loopback stand-in for Grafana's annotations HTTP API (`/api/annotations`), answering the way
 * Grafana does: a service account token as `Authorization: Bearer <token>`, a created annotation
 * as `{"message":"Annotation added","id":N}`, a search by tags as the list of matching
 * annotations, and refusals as `{"message": …}`. It keeps the annotations, so tests see what a
 * step added. Served below a sub-path, as a Grafana behind a proxy is.
 */
const TOKEN = 'glsa_0123456789abcdefghijklmnopqrstuv_0a1b2c3d';
const PREFIX = '/grafana';
const KEY = 'ex-gf-1:annotate_grafana';
/** The step's marker tag, computed here independently of the code under test. */
const MARKER = `salve:${createHash('sha256').update(KEY).digest('hex').slice(0, 12)}`;

interface Stored {
  id: number;
  dashboardUID?: string;
  panelId?: number;
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}
let annotations: Stored[];
let forced: { status: number; body: string } | undefined;
let hang: Promise<void> | undefined;
/** While set, a search ignores its tags (as an old or proxied Grafana might) and lists everything. */
let ignoreTagFilter = false;

const grafanaError = (status: number, body: Record<string, unknown>) => ({ status, body: JSON.stringify(body) });

function answer(req: ReceivedRequest): { status: number; body?: string } {
  if (forced) return forced;
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    return grafanaError(401, { extra: null, message: 'Invalid API key', messageId: 'api-key.invalid', statusCode: 401, traceID: '' });
  }
  const url = new URL(req.url, 'http://grafana');
  if (url.pathname !== `${PREFIX}/api/annotations`) return grafanaError(404, { message: 'Not found' });
  if (req.method === 'GET') {
    const tags = ignoreTagFilter ? [] : url.searchParams.getAll('tags');
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return { status: 200, body: JSON.stringify(annotations.filter((a) => tags.every((t) => a.tags.includes(t))).slice(0, limit)) };
  }
  const body = JSON.parse(req.body) as Omit<Stored, 'id'>;
  if (!body.text) return grafanaError(400, { message: 'Failed to save annotation' });
  const stored = { ...body, id: annotations.length + 1 };
  annotations.push(stored);
  return { status: 200, body: JSON.stringify({ message: 'Annotation added', id: stored.id }) };
}

let grafana: Target;
beforeAll(async () => {
  grafana = await startTarget(async (req) => {
    if (hang) await hang;
    return answer(req);
  });
});
afterAll(async () => {
  await grafana?.close();
});
afterEach(() => {
  forced = undefined;
  ignoreTagFilter = false;
});
const reset = () => {
  annotations = [];
  grafana.requests.length = 0;
};

/** The run's alert as source.grafana makes it from its "firing" sample (dashboard node-disk, panel 4). */
const grafanaAlert = (): Alert => normalizeGrafana(grafanaSamples[0]!.payload)[0]!;

async function step(
  input: Record<string, unknown>,
  options: { alert?: Alert; attempt?: number; allowed?: string[]; tokenHosts?: string[]; runUrl?: string; url?: string } = {},
) {
  const policy = new DestinationPolicy({
    allowedTargets: options.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_GRAFANA_TOKEN_HOSTS: where the token may be sent.
    secretHosts: (name) => (name === 'GRAFANA_TOKEN' ? (options.tokenHosts ?? ['127.0.0.1']) : undefined),
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const ctx = testContext({
    network: policy.forStep({ secrets: ['GRAFANA_TOKEN'] }),
    attempt: options.attempt ?? 1,
    executionId: 'ex-gf-1',
    idempotencyKey: KEY,
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    vars: { alert: options.alert ?? grafanaAlert(), execution: { id: 'ex-gf-1', startedAt: '2026-11-24T01:00:00.000Z' } },
  });
  const config = AnnotateConfigSchema.parse({ url: options.url ?? `${grafana.url}${PREFIX}`, token: { secret: 'GRAFANA_TOKEN' }, ...input });
  const rendered = renderConfig(config, grafanaAnnotate.expressions(config), ctx.vars, (name) => (name === 'GRAFANA_TOKEN' ? TOKEN : undefined));
  const outcome = await executeAnnotate(rendered.value as Resolved<AnnotateConfig>, { ...ctx, secrets: rendered.secrets });
  return { outcome, output: (outcome as { output: AnnotationOutput }).output, error: (outcome as { error?: string }).error };
}

describe('grafana.annotate executor', () => {
  it('annotates the Grafana alert’s dashboard and panel, sending exactly what Grafana documents', async () => {
    reset();
    const runUrl = 'https://salve.example/#/runs/ex-gf-1';
    const { outcome } = await step({}, { runUrl });
    expect(outcome).toEqual({
      type: 'next',
      port: 'ok',
      output: {
        annotationId: 1,
        status: 200,
        message: 'annotated dashboard node-disk panel 4',
        dashboardUid: 'node-disk',
        panelId: 4,
        tags: ['salve', 'DiskFull', MARKER],
        time: TEST_NOW.getTime(),
        durationMs: expect.any(Number),
      },
    });
    expect(grafana.requests).toHaveLength(1);
    const sent = grafana.requests[0]!;
    expect([sent.method, sent.url]).toEqual(['POST', `${PREFIX}/api/annotations`]);
    expect(sent.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' });
    expect(JSON.parse(sent.body)).toEqual({
      dashboardUID: 'node-disk',
      panelId: 4,
      time: TEST_NOW.getTime(),
      tags: ['salve', 'DiskFull', MARKER],
      text: `Salve ran Disk full\nSalve run: ${runUrl}`,
    });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('keeps the annotation its first try added when the step is retried, looking it up by the marker tag', async () => {
    reset();
    await step({});
    grafana.requests.length = 0;
    const retried = await step({}, { attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok', output: { annotationId: 1, reused: true, status: 200 } });
    expect(grafana.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${PREFIX}/api/annotations?tags=${encodeURIComponent(MARKER)}&limit=10`]);
    expect(grafana.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(annotations).toHaveLength(1);
  });

  it('adds the annotation on a retry whose first try never reached Grafana, and never looks on a first try', async () => {
    reset();
    annotations.push({ id: 1, time: 1, tags: ['salve', 'salve:000000000000'], text: 'another step’s' });
    const retried = await step({}, { attempt: 2 });
    expect(retried.output).toMatchObject({ annotationId: 2 });
    expect(retried.output.reused).toBeUndefined();
    expect(grafana.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    grafana.requests.length = 0;
    await step({});
    expect(grafana.requests.map((r) => r.method)).toEqual(['POST']);

    // A Grafana that ignores the tags filter lists another step's annotation: it is not kept.
    reset();
    annotations.push({ id: 1, time: 1, tags: ['salve', 'salve:000000000000'], text: 'another step’s' });
    ignoreTagFilter = true;
    const unfiltered = await step({}, { attempt: 2 });
    expect(unfiltered.output).toMatchObject({ annotationId: 2 });
    expect(unfiltered.output.reused).toBeUndefined();
  });

  it('uses the reserved annotations of a Grafana-managed rule, and a region since the alert started', async () => {
    reset();
    const alert = testAlert({ annotations: { __dashboardUid__: 'pg-overview', __panelId__: '12' }, startsAt: '2026-11-24T00:40:00.000Z' });
    const { output } = await step({ span: 'since-alert', tags: ['salve', 'service:{{ alert.labels.service }}', '{{ alert.labels.missing_or_empty }}'] }, { alert: { ...alert, labels: { ...alert.labels, missing_or_empty: '' } } });
    expect(output).toMatchObject({ dashboardUid: 'pg-overview', panelId: 12, time: Date.parse('2026-11-24T00:40:00.000Z'), timeEnd: TEST_NOW.getTime() });
    expect(JSON.parse(grafana.requests[0]!.body)).toMatchObject({
      dashboardUID: 'pg-overview',
      panelId: 12,
      time: Date.parse('2026-11-24T00:40:00.000Z'),
      timeEnd: TEST_NOW.getTime(),
      // The empty rendered tag is dropped; the marker comes last.
      tags: ['salve', 'service:postgresql', MARKER],
    });
  });

  it('makes an organization annotation when the alert names no dashboard, or the configured one renders empty', async () => {
    reset();
    const plain = await step({}, { alert: testAlert() });
    expect(plain.output).toMatchObject({ dashboardUid: null, panelId: null, message: 'annotated the organization' });
    expect(JSON.parse(grafana.requests[0]!.body)).toEqual({ time: TEST_NOW.getTime(), tags: ['salve', 'DiskFull', MARKER], text: 'Salve ran Disk full\nSalve run: ex-gf-1' });

    const emptied = await step({ dashboardUid: '{{ alert.labels.nothing }}', panelId: '3' }, { alert: testAlert({ labels: { nothing: '' } }) });
    expect(emptied.output).toMatchObject({ dashboardUid: null, panelId: null });
    expect(JSON.parse(grafana.requests[1]!.body).panelId).toBeUndefined();
  });

  it('takes the dashboard and panel configured, and refuses rendered values that are not a UID or a panel id before sending', async () => {
    reset();
    const chosen = await step({ dashboardUid: 'db-{{ alert.labels.service }}', panelId: '{{ alert.labels.panel }}' }, { alert: testAlert({ labels: { service: 'postgresql', panel: '2' } }) });
    expect(chosen.output).toMatchObject({ dashboardUid: 'db-postgresql', panelId: 2 });
    // A configured dashboard does not take the alert's panel.
    const noPanel = await step({ dashboardUid: 'other' });
    expect(noPanel.output).toMatchObject({ dashboardUid: 'other', panelId: null });

    const before = grafana.requests.length;
    const badUid = await step({ dashboardUid: '{{ alert.labels.service }}' }, { alert: testAlert({ labels: { service: '../api/admin' } }) });
    expect(badUid.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, annotationId: null } });
    expect(badUid.error).toBe('dashboardUid is "../api/admin", not a Grafana dashboard UID (letters, digits, - and _, at most 40)');
    const badPanel = await step({ panelId: '{{ alert.labels.service }}' });
    expect(badPanel.error).toBe('panelId is "postgresql", not a panel id (a whole number)');
    expect(grafana.requests.length).toBe(before);
  });

  it('reports Grafana’s refusals in its words: a bad token, missing permissions, a bad request, 429 and 5xx', async () => {
    reset();
    forced = grafanaError(401, { extra: null, message: 'Invalid API key', messageId: 'api-key.invalid', statusCode: 401, traceID: '' });
    const badToken = await step({});
    expect(badToken.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 401, annotationId: null, dashboardUid: 'node-disk' } });
    expect(badToken.error).toBe('Grafana answered 401: Invalid API key');

    forced = grafanaError(403, {
      accessErrorId: 'ACE0123456789',
      message: "You'll need additional permissions to perform this action. Permissions needed: annotations:create",
      title: 'Access denied',
    });
    expect((await step({})).error).toBe("Grafana answered 403: You'll need additional permissions to perform this action. Permissions needed: annotations:create");

    forced = grafanaError(400, { message: 'Failed to save annotation', error: 'text field should not be empty' });
    expect((await step({})).error).toBe('Grafana answered 400: Failed to save annotation: text field should not be empty');

    forced = { status: 429, body: 'Too Many Requests' };
    const limited = await step({});
    expect(limited.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 429 } });
    expect(limited.error).toBe('Grafana answered 429: Too Many Requests');

    forced = grafanaError(500, { message: 'Failed to save annotation' });
    expect((await step({})).error).toBe('Grafana answered 500: Failed to save annotation');
    forced = undefined;

    // A URL that is not Grafana (a wrong sub-path): its 404, not a crash.
    const wrongPath = await step({}, { url: grafana.url });
    expect(wrongPath.error).toBe('Grafana answered 404: Not found');
    expect(annotations).toHaveLength(0);
  });

  it('gives up at its timeout, and reports a refused connection', async () => {
    reset();
    let release!: () => void;
    hang = new Promise((resolve) => (release = resolve));
    try {
      const slow = await step({ timeoutSeconds: 1 });
      expect(slow.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
      expect(slow.error).toMatch(/timed out after 1 s/);
    } finally {
      hang = undefined;
      release();
    }
    const closed = await startTarget();
    await closed.close();
    const refused = await step({}, { url: closed.url });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(refused.error).toMatch(/ECONNREFUSED|refused/i);
  });

  it('sends nothing where the destination policy forbids, nor where the token may not go', async () => {
    reset();
    const forbidden = await step({}, { allowed: [] });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(forbidden.error).toContain('SALVE_ALLOWED_TARGETS');
    const tokenBound = await step({}, { tokenHosts: ['grafana.example.internal'] });
    expect(tokenBound.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(tokenBound.error).toContain('secret GRAFANA_TOKEN may not be sent');
    expect(grafana.requests).toHaveLength(0);
  });
});
