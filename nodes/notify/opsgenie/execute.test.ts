import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import { startTarget, type ReceivedRequest, type Target } from '../../../test/kit/target.js';
import type { Resolved } from '../../executor.js';
import { opsgenieNotify, OpsgenieNotifyConfigSchema, type OpsgenieNotifyConfig } from './definition.js';
import { executeOpsgenieNotify } from './execute.js';
import type { OpsgenieOutput } from './output.js';

/**
 * A loopback stand-in for Opsgenie's Alert API v2 (there is no Opsgenie to run in a test). It
 * answers as Opsgenie documents: 202 `{ result, took, requestId }` for a request it takes, 401
 * for an unknown key, 422 `{ message, errors }` for a body it cannot process, and keeps one open
 * alert per alias (a repeated create counts up). Acknowledge, close and notes act by alias.
 * `answer` overrides it for one test.
 */
const SECRET = 'OPSGENIE_API_KEY';
const KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';

interface StoredAlert {
  message: string;
  count: number;
  status: 'open' | 'closed';
  acknowledged: boolean;
  notes: string[];
}
const alerts = new Map<string, StoredAlert>();
let requestCount = 0;
let target: Target;
let answer: ((req: ReceivedRequest) => { status: number; body?: string } | Promise<{ status: number; body?: string }>) | undefined;

function opsgenie(req: ReceivedRequest): { status: number; body?: string } {
  const requestId = `req-${++requestCount}`;
  const reply = (status: number, body: Record<string, unknown>) => ({ status, body: JSON.stringify({ ...body, took: 0.01, requestId }) });
  if (req.headers.authorization !== `GenieKey ${KEY}`) return reply(401, { message: 'Could not authenticate' });
  const url = new URL(req.url, 'http://stand-in');
  const parts = url.pathname.split('/').map(decodeURIComponent);
  if (req.method === 'POST' && url.pathname === '/v2/alerts') {
    const body = JSON.parse(req.body) as { message?: string; alias?: string; priority?: string };
    if (!body.message) return reply(422, { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' } });
    const alias = body.alias ?? requestId;
    const open = alerts.get(alias);
    if (open?.status === 'open') open.count++;
    else alerts.set(alias, { message: body.message, count: 1, status: 'open', acknowledged: false, notes: [] });
    return reply(202, { result: 'Request will be processed' });
  }
  // /v2/alerts/<alias>/<action>: Opsgenie finds the alert later; an unknown alias is accepted, then dropped.
  if (parts.length === 5 && parts[1] === 'v2' && parts[2] === 'alerts' && url.searchParams.get('identifierType') === 'alias') {
    const alert = alerts.get(parts[3]!);
    const action = parts[4];
    if (req.method === 'GET' && action === 'notes') {
      return reply(200, { data: [...(alert?.notes ?? [])].reverse().map((note, offset) => ({ note, owner: 'salve', createdAt: '2026-11-24T01:00:00Z', offset: String(offset) })) });
    }
    const body = JSON.parse(req.body) as { note?: string };
    if (action === 'notes' && !body.note) return reply(422, { message: 'Request body is not processable. Please check the errors.', errors: { note: 'Note can not be empty.' } });
    if (alert?.status === 'open') {
      if (action === 'acknowledge') alert.acknowledged = true;
      if (action === 'close') alert.status = 'closed';
      if (body.note) alert.notes.push(body.note);
    }
    return reply(202, { result: 'Request will be processed' });
  }
  return reply(404, { message: 'Could not find handler.' });
}

beforeAll(async () => {
  target = await startTarget((req) => (answer ?? opsgenie)(req));
});
afterAll(async () => {
  await target.close();
});
beforeEach(() => {
  answer = undefined;
  alerts.clear();
});

/**
 * One step as the runner makes it: the config parsed, its templates rendered and the key
 * resolved, with a network that allows the loopback peer (and the key there) unless told otherwise.
 */
async function step(input: Record<string, unknown> = {}, opts: { key?: string; allowed?: string[]; keyHosts?: string[]; attempt?: number; baseUrl?: string } = {}) {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_OPSGENIE_API_KEY_HOSTS: where the key may be sent.
    secretHosts: (name) => (name === SECRET ? (opts.keyHosts ?? ['127.0.0.1']) : undefined),
  });
  const base = testContext({
    network: policy.forStep({ secrets: [SECRET] }),
    attempt: opts.attempt ?? 1,
    idempotencyKey: 'ex_test:page_opsgenie',
    runUrl: 'https://salve.example.internal/#/runs/ex_test',
  });
  const config = OpsgenieNotifyConfigSchema.parse({ apiKey: { secret: SECRET }, baseUrl: opts.baseUrl ?? target.url, ...input });
  const rendered = renderConfig(config, opsgenieNotify.expressions(config), base.vars, (name) => (name === SECRET ? (opts.key ?? KEY) : undefined));
  const outcome = await executeOpsgenieNotify(rendered.value as Resolved<OpsgenieNotifyConfig>, { ...base, secrets: rendered.secrets });
  return { outcome, output: (outcome as { output: OpsgenieOutput }).output, error: (outcome as { error?: string }).error };
}

const lastSent = () => {
  const req = target.requests.at(-1)!;
  return { method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body: req.body ? (JSON.parse(req.body) as Record<string, unknown>) : undefined };
};

describe('notify.opsgenie executor', () => {
  it('creates an alert keyed by the fingerprint, then acknowledges, notes and closes that same alert', async () => {
    const created = await step({ tags: ['{{ alert.labels.service }}', 'salve'] });
    expect(created.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'create', alias: 'a1b2c3d4e5f60708', status: 202, message: 'Request will be processed' } });
    expect(created.output.requestId).toMatch(/^req-\d+$/);
    expect(lastSent()).toEqual({
      method: 'POST',
      url: '/v2/alerts',
      auth: `GenieKey ${KEY}`,
      type: 'application/json',
      body: {
        message: 'DiskFull: Disk almost full on db1',
        alias: 'a1b2c3d4e5f60708',
        description: 'Disk almost full on db1\n\nSalve run: https://salve.example.internal/#/runs/ex_test',
        priority: 'P1',
        tags: ['postgresql', 'salve'],
        details: {
          alertname: 'DiskFull',
          instance: 'db1:9100',
          service: 'postgresql',
          severity: 'critical',
          'salve.flow': 'disk-full',
          'salve.execution': 'ex_test',
          'salve.run': 'https://salve.example.internal/#/runs/ex_test',
        },
        source: 'salve',
        user: 'salve',
      },
    });
    expect(alerts.get('a1b2c3d4e5f60708')).toMatchObject({ status: 'open', count: 1 });

    const acked = await step({ action: 'acknowledge' });
    expect(acked.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'acknowledge', alias: 'a1b2c3d4e5f60708', status: 202 } });
    expect(lastSent()).toMatchObject({ method: 'POST', url: '/v2/alerts/a1b2c3d4e5f60708/acknowledge?identifierType=alias', auth: `GenieKey ${KEY}` });
    expect(lastSent().body).toEqual({ user: 'salve', source: 'salve', note: 'Acknowledged by Salve.\nSalve run: https://salve.example.internal/#/runs/ex_test [salve ex_test:page_opsgenie]' });

    await step({ action: 'note', note: 'Freed space on {{ alert.labels.instance }}' });
    expect(lastSent()).toMatchObject({ url: '/v2/alerts/a1b2c3d4e5f60708/notes?identifierType=alias', body: { note: expect.stringMatching(/^Freed space on db1:9100\n/) } });

    const closed = await step({ action: 'close' });
    expect(closed.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'close', status: 202 } });
    expect(lastSent().url).toBe('/v2/alerts/a1b2c3d4e5f60708/close?identifierType=alias');
    expect(alerts.get('a1b2c3d4e5f60708')).toMatchObject({ status: 'closed', acknowledged: true, notes: [expect.stringMatching(/^Acknowledged/), expect.stringMatching(/^Freed/), expect.stringMatching(/^Closed/)] });
    // No output holds the key.
    expect(JSON.stringify([created, acked, closed])).not.toContain(KEY);
  });

  it('creates once when the step is retried: Opsgenie adds the repeat to the open alert with the same alias', async () => {
    await step();
    await step({}, { attempt: 2 });
    expect([...alerts.keys()]).toEqual(['a1b2c3d4e5f60708']);
    expect(alerts.get('a1b2c3d4e5f60708')!.count).toBe(2);
  });

  it('adds a note once when the step is retried after its first try added it, and adds it when the first try did not', async () => {
    await step();
    await step({ action: 'note', note: 'Freed 12G' });
    const before = target.requests.length;
    const retried = await step({ action: 'note', note: 'Freed 12G' }, { attempt: 2 });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok', output: { action: 'note', reused: true, status: 200, requestId: null } });
    // One lookup, no second note.
    expect(target.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v2/alerts/a1b2c3d4e5f60708/notes?identifierType=alias&order=desc&limit=100']);
    expect(target.requests.at(-1)!.headers.authorization).toBe(`GenieKey ${KEY}`);
    expect(alerts.get('a1b2c3d4e5f60708')!.notes).toHaveLength(1);

    // Another step's note (another key) does not count as this one's.
    alerts.get('a1b2c3d4e5f60708')!.notes = ['Freed 12G\nSalve run: x [salve ex_other:note_it]'];
    const added = await step({ action: 'note', note: 'Freed 12G' }, { attempt: 2 });
    expect(added.output).toMatchObject({ status: 202 });
    expect(added.output.reused).toBeUndefined();
    expect(alerts.get('a1b2c3d4e5f60708')!.notes).toHaveLength(2);
  });

  it('keeps an alias from the alert one path segment', async () => {
    await step({ action: 'close', alias: '{{ alert.labels.instance }}/../../v2/alerts' });
    expect(lastSent().url).toBe('/v2/alerts/db1%3A9100%2F..%2F..%2Fv2%2Falerts/close?identifierType=alias');
  });

  it('goes to error with Opsgenie’s own words: 422 with its reasons, 401, 403', async () => {
    answer = () => ({
      status: 422,
      body: JSON.stringify({ message: 'Request body is not processable. Please check the errors.', errors: { priority: 'should be one of [ P1, P2, P3, P4, P5 ]' }, took: 0.005, requestId: '610e618e-7138' }),
    });
    const refused = await step();
    expect(refused.outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'Opsgenie answered 422: Request body is not processable. Please check the errors.; priority: should be one of [ P1, P2, P3, P4, P5 ]',
      output: { status: 422, requestId: '610e618e-7138', errors: ['priority: should be one of [ P1, P2, P3, P4, P5 ]'] },
    });

    answer = undefined;
    const wrongKey = await step({}, { key: 'not-the-key-0000' });
    expect(wrongKey.outcome).toMatchObject({ type: 'fail', port: 'error', error: 'Opsgenie answered 401: Could not authenticate', output: { status: 401 } });

    answer = () => ({ status: 403, body: JSON.stringify({ code: 40301, message: 'To perform this action, use an API key from an API integration.', took: 0.001, requestId: 'r403' }) });
    expect((await step()).error).toBe('Opsgenie answered 403: To perform this action, use an API key from an API integration.');
  });

  it('says it was rate limited on a 429, and reports a 5xx, never echoing the key', async () => {
    answer = () => ({ status: 429, body: JSON.stringify({ message: 'You are making too many requests! To avoid errors, we recommend you limit requests.', took: 0, requestId: 'r429' }) });
    const limited = await step();
    expect(limited.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 429, requestId: 'r429' } });
    expect(limited.error).toBe('rate limited by Opsgenie (429); try again later: You are making too many requests! To avoid errors, we recommend you limit requests.');

    answer = (req) => ({ status: 502, body: `upstream failed for ${String(req.headers.authorization)}` });
    const broken = await step();
    expect(broken.error).toBe('Opsgenie answered 502: upstream failed for GenieKey …');
    expect(JSON.stringify(broken.outcome)).not.toContain(KEY);
  });

  it('gives up at its timeout, and reports a refused connection', async () => {
    let release: (() => void) | undefined;
    answer = () =>
      new Promise((resolve) => {
        release = () => resolve({ status: 202 });
      });
    try {
      const slow = await step({ timeoutSeconds: 1 });
      expect(slow.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null, requestId: null } });
      expect(slow.error).toBe(`POST ${target.url}/v2/alerts timed out after 1 s`);
    } finally {
      release?.();
    }

    const closed = await startTarget();
    await closed.close();
    const refused = await step({}, { baseUrl: closed.url });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });

  it('sends nothing where the destination policy forbids, nor where the key may not go', async () => {
    const before = target.requests.length;
    const forbidden = await step({}, { allowed: [] });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(forbidden.error).toContain('SALVE_ALLOWED_TARGETS');
    // The key is bound to Opsgenie's real hosts: this one may not receive it.
    const keyBound = await step({}, { keyHosts: ['api.opsgenie.com', 'api.eu.opsgenie.com'] });
    expect(keyBound.error).toMatch(/^secret OPSGENIE_API_KEY may not be sent to 127\.0\.0\.1/);
    expect(target.requests.length).toBe(before);
  });
});
