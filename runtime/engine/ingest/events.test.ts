import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMatch, EventRoute } from '../../../shared/event-log.js';
import { alertmanagerAdapter } from '../../../nodes/source/alertmanager/ingest.js';
import type { WebhookAdapter } from '../../../nodes/source-adapter.js';
import { SqliteStore } from '../../store/db.js';
import { eventsRepo, type EventRow } from '../../store/events-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { Engine } from '../engine.js';
import { secretStoreFrom } from '../secrets/secrets.js';
import { REFUSALS_PER_PATH_PER_MINUTE } from './refusal-limiter.js';
import { amAlert, amPayload } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { ManualClock, testEngine } from '../../../test/kit/engine.js';
import { waitFor } from '../../../test/kit/wait.js';

const encoder = new TextEncoder();
const TOKEN = 'am-token-value-1234';

/** A DiskFull alert with fingerprint `fp`; resolved at 00:30 unless `endsAt` says otherwise. */
const alert = (fp: string, status: 'firing' | 'resolved' = 'firing', endsAt = status === 'resolved' ? '2026-11-24T00:30:00Z' : '0001-01-01T00:00:00Z') =>
  amAlert({ fingerprint: fp, status, endsAt });

/** A flow `id` whose source (Alertmanager unless `type` says otherwise) takes the bearer token AM_TOKEN on `/hooks/infra`; `source` adds to its config. */
function flow(id: string, source: Record<string, unknown>, type = 'source.alertmanager') {
  return flowDoc({
    id,
    source: { id: 'src', type, config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } }, ...source } },
    nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'true' } }],
    edges: [{ source: 'src', target: 'check' }],
  });
}

type Kit = ReturnType<typeof testEngine>;

function post(engine: Engine, body: unknown, headers: Record<string, string> = {}, path = 'infra') {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return engine.ingest(path, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    rawBody: encoder.encode(raw),
    remoteAddress: '192.0.2.7',
  });
}

const events = (kit: Kit) => eventsRepo.list(kit.store.db, { limit: 200 });
const parsed = (row: EventRow) => ({
  ...row,
  routes: JSON.parse(row.routes) as EventRoute[],
  matches: JSON.parse(row.matches) as EventMatch[],
  alerts: JSON.parse(row.alerts) as Record<string, unknown>[],
  headers: JSON.parse(row.headers) as Record<string, string>,
  sources: JSON.parse(row.sources) as string[],
  error: row.error ? (JSON.parse(row.error) as { code: string; message: string; issues?: { path: unknown[] }[] }) : null,
});
const eventById = (kit: Kit, id: string) => parsed(eventsRepo.get(kit.store.db, id)!);
/** Refused deliveries are written after the answer: wait for the n-th event to appear (and move the clock on, so ids sort). */
const nthEvent = async (kit: Kit, n: number) => {
  const row = (await waitFor(() => events(kit).length >= n && events(kit)))[0]!;
  kit.clock.advance(1000);
  return parsed(row);
};

async function setup(flows: ReturnType<typeof flow>[] = [flow('disk', {})]) {
  const kit = testEngine({ secrets: { AM_TOKEN: TOKEN, OTHER: 'other-token-value' } });
  await kit.engine.start();
  for (const f of flows) await kit.engine.flows.create(f, { name: 'test', via: 'token' });
  return kit;
}

describe('event log: every delivery is recorded', () => {
  const restore: (() => void)[] = [];
  afterEach(() => restore.splice(0).forEach((fn) => fn()));
  /** Gives the Alertmanager adapter an optional method for one test. */
  function patchAdapter<K extends 'deliveryId' | 'handshake'>(key: K, fn: NonNullable<WebhookAdapter[K]>) {
    const adapter = alertmanagerAdapter as WebhookAdapter;
    adapter[key] = fn as never;
    restore.push(() => delete adapter[key]);
  }

  it('accepted: the alerts without raw, what each flow did, the routes, headers without credentials', async () => {
    const kit = await setup();
    const result = await post(kit.engine, amPayload([alert('fp-1'), alert('fp-2')]), { 'x-request-id': 'r-1' });
    expect(result.outcome).toBe('accepted');
    const ev = eventById(kit, result.eventId);
    expect(ev).toMatchObject({
      outcome: 'accepted',
      httpStatus: 202,
      path: 'infra',
      sources: ['alertmanager'],
      remoteAddress: '192.0.2.7',
      alertCount: 2,
      executionCount: 2,
      duplicateCount: 0,
      bodyTruncated: false,
      reason: null,
      deliveryId: null,
    });
    expect(ev.headers).toMatchObject({ authorization: '***', 'x-request-id': 'r-1' });
    expect(ev.routes).toEqual([{ flowId: 'disk', nodeId: 'src', source: 'alertmanager', result: 'authenticated' }]);
    expect(ev.alerts.map((a) => a.fingerprint)).toEqual(['fp-1', 'fp-2']);
    expect(ev.alerts[0]).not.toHaveProperty('raw');
    expect(ev.matches).toEqual(result.executions.map((e, i) => ({ flowId: 'disk', nodeId: 'src', alertIndex: i, result: 'started', executionId: e.id })));
    expect(JSON.stringify(eventsRepo.get(kit.store.db, result.eventId))).not.toContain(TOKEN);
    expect(executionsRepo.get(kit.store.db, result.executions[0]!.id)!.fingerprint).toBe('fp-1');
  });

  it('duplicate: names the execution that already handled each alert', async () => {
    const kit = await setup();
    const first = await post(kit.engine, amPayload([alert('fp-1')]));
    const again = await post(kit.engine, amPayload([alert('fp-1')]));
    expect(again).toMatchObject({ outcome: 'duplicate', executions: [], duplicates: 1 });
    const ev = eventById(kit, again.eventId);
    expect(ev.outcome).toBe('duplicate');
    expect(ev.reason).toMatch(/already handled/);
    expect(ev.matches).toEqual([
      { flowId: 'disk', nodeId: 'src', alertIndex: 0, result: 'duplicate', reason: 'already handled: same alert delivered again', executionId: first.executions[0]!.id },
    ]);
    // A group with one new alert and one repeat is accepted: something new ran.
    const mixed = await post(kit.engine, amPayload([alert('fp-1'), alert('fp-3')]));
    expect(mixed.outcome).toBe('accepted');
    expect(eventById(kit, mixed.eventId).matches.map((m) => m.result)).toEqual(['duplicate', 'started']);
  });

  it('ignored: a resolved alert does not start a firing-only flow, and marks its runs resolved at endsAt', async () => {
    const kit = await setup();
    const fired = await post(kit.engine, amPayload([alert('fp-1')]));
    const runId = fired.executions[0]!.id;
    const resolved = await post(kit.engine, amPayload([alert('fp-1', 'resolved')], 'resolved'));
    expect(resolved.outcome).toBe('ignored');
    const ev = eventById(kit, resolved.eventId);
    expect(ev.reason).toBe('resolved alert: source starts runs on firing only');
    expect(ev.notStartedCount).toBe(1);
    expect(ev.matches).toEqual([
      { flowId: 'disk', nodeId: 'src', alertIndex: 0, result: 'not_started', reason: 'resolved alert: source starts runs on firing only', resolvedExecutionIds: [runId] },
    ]);
    expect(executionsRepo.get(kit.store.db, runId)!.alertResolvedAt).toBe(Date.parse('2026-11-24T00:30:00Z'));
    // Resolved again (Alertmanager re-sends): the first resolution stays.
    await post(kit.engine, amPayload([alert('fp-1', 'resolved', '2026-11-24T05:00:00Z')], 'resolved'));
    expect(executionsRepo.get(kit.store.db, runId)!.alertResolvedAt).toBe(Date.parse('2026-11-24T00:30:00Z'));
  });

  it('a resolved alert with no end time marks runs resolved when it arrived; other flows and fingerprints are left alone', async () => {
    const kit = await setup([flow('disk', {}), flow('both', { auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } }, on: 'both' })]);
    const fired = await post(kit.engine, amPayload([alert('fp-1'), alert('fp-2')]));
    const byFlow = (flowId: string, fp: string) => fired.executions.find((e) => e.flowId === flowId && executionsRepo.get(kit.store.db, e.id)!.fingerprint === fp)!.id;
    kit.clock.advance(60_000);
    const resolved = await post(kit.engine, amPayload([alert('fp-1', 'resolved', '0001-01-01T00:00:00Z')], 'resolved'));
    // `on: both` starts a run for the resolution; the firing-only flow does not.
    expect(resolved.outcome).toBe('accepted');
    expect(resolved.executions.map((e) => e.flowId)).toEqual(['both']);
    expect(executionsRepo.get(kit.store.db, byFlow('disk', 'fp-1'))!.alertResolvedAt).toBe(kit.clock.now());
    expect(executionsRepo.get(kit.store.db, byFlow('both', 'fp-1'))!.alertResolvedAt).toBe(kit.clock.now());
    expect(executionsRepo.get(kit.store.db, byFlow('disk', 'fp-2'))!.alertResolvedAt).toBeNull();
    const ev = eventById(kit, resolved.eventId);
    expect(ev.matches.map((m) => [m.flowId, m.result]).sort()).toEqual([
      ['both', 'started'],
      ['disk', 'not_started'],
    ]);
  });

  it('ignored: a delivery without alerts', async () => {
    const kit = await setup([flow('hook', { mapping: { name: 'event.name' } }, 'source.webhook')]);
    const result = await post(kit.engine, []);
    expect(result.outcome).toBe('ignored');
    expect(eventById(kit, result.eventId)).toMatchObject({ outcome: 'ignored', alertCount: 0, reason: 'the delivery holds no alerts', sources: ['webhook'] });
  });

  it('rejected: 401 as before, the reason per source node, the first 4 KiB of the body, no execution, no secret', async () => {
    const kit = await setup([flow('disk', {}), flow('other', { auth: { type: 'header', name: 'X-Other-Token', value: { secret: 'OTHER' } } })]);
    const big = amPayload([alert('fp-1')]) as Record<string, unknown>;
    big.commonAnnotations = { pad: 'x'.repeat(6000) };
    await expect(post(kit.engine, big, { authorization: 'Bearer not-the-token', 'x-other-token': 'guess' })).rejects.toMatchObject({ code: 'unauthorized' });
    const ev = await nthEvent(kit, 1);
    expect(ev).toMatchObject({ outcome: 'rejected', httpStatus: 401, bodyTruncated: true, alertCount: 0, executionCount: 0, sources: ['alertmanager'] });
    expect(ev.body).toHaveLength(4096);
    expect(ev.bodyBytes).toBeGreaterThan(6000);
    expect(ev.routes).toEqual([
      { flowId: 'disk', nodeId: 'src', source: 'alertmanager', result: 'rejected', reason: 'wrong bearer token' },
      { flowId: 'other', nodeId: 'src', source: 'alertmanager', result: 'rejected', reason: 'wrong value in X-Other-Token header' },
    ]);
    expect(ev.reason).toBe('authentication failed: disk/src: wrong bearer token; other/src: wrong value in X-Other-Token header');
    expect(ev.headers).toMatchObject({ authorization: '***', 'x-other-token': '***' });
    expect(JSON.stringify(eventsRepo.get(kit.store.db, ev.id))).not.toMatch(/not-the-token|guess/);
    expect(executionsRepo.list(kit.store.db, { limit: 10 })).toEqual([]);
    // Both flows find it under their own filter.
    expect(eventsRepo.list(kit.store.db, { limit: 10, flowId: 'other' }).map((e) => e.id)).toEqual([ev.id]);
  });

  it('accepted by one flow, refused by the other: both verdicts are kept', async () => {
    const kit = await setup([flow('disk', {}), flow('other', { auth: { type: 'bearer', token: { secret: 'OTHER' } } })]);
    const result = await post(kit.engine, amPayload([alert('fp-1')]));
    const ev = eventById(kit, result.eventId);
    expect(ev.outcome).toBe('accepted');
    expect(ev.routes.map((r) => [r.flowId, r.result, r.reason])).toEqual([
      ['disk', 'authenticated', undefined],
      ['other', 'rejected', 'wrong bearer token'],
    ]);
  });

  it('invalid: 400, 415 and 422 with the message and the issues that name the field', async () => {
    const kit = await setup();
    await expect(post(kit.engine, '{"alerts": [')).rejects.toMatchObject({ code: 'bad_request' });
    let ev = await nthEvent(kit, 1);
    expect(ev).toMatchObject({ outcome: 'invalid', httpStatus: 400, body: '{"alerts": [' });
    expect(ev.reason).toMatch(/not valid JSON/);

    await expect(post(kit.engine, amPayload([alert('fp-1')]), { 'content-type': 'text/plain' })).rejects.toMatchObject({ code: 'unsupported_media_type' });
    ev = await nthEvent(kit, 2);
    expect(ev).toMatchObject({ outcome: 'invalid', httpStatus: 415 });
    expect(ev.routes[0]).toMatchObject({ result: 'skipped', reason: 'media type "text/plain" is not one this source accepts' });

    const bad = amPayload([{ ...alert('fp-1'), status: 'burning' }]);
    await expect(post(kit.engine, bad)).rejects.toMatchObject({ code: 'validation_failed' });
    ev = await nthEvent(kit, 3);
    expect(ev).toMatchObject({ outcome: 'invalid', httpStatus: 422 });
    expect(ev.routes[0]!.result).toBe('authenticated');
    expect(ev.error!.code).toBe('validation_failed');
    expect(ev.error!.issues!.map((i) => i.path.join('.'))).toContain('alerts.0.status');
    expect(ev.reason).toMatch(/^Alertmanager payload is invalid: alerts\[0\]\.status: /);
  });

  it('stores at most 60 refusals per path a minute; the next one stored says how many were only counted', async () => {
    const kit = await setup();
    const n = REFUSALS_PER_PATH_PER_MINUTE + 5;
    for (let i = 0; i < n; i++) await expect(post(kit.engine, '{}', { authorization: 'Bearer wrong' })).rejects.toMatchObject({ code: 'unauthorized' });
    await kit.engine.idle();
    expect(events(kit)).toHaveLength(REFUSALS_PER_PATH_PER_MINUTE);
    kit.clock.advance(60_000);
    await expect(post(kit.engine, '{}', { authorization: 'Bearer wrong' })).rejects.toMatchObject({ code: 'unauthorized' });
    const ev = await nthEvent(kit, REFUSALS_PER_PATH_PER_MINUTE + 1);
    expect(ev.suppressedBefore).toBe(5);
    // Accepted deliveries are never capped.
    const ok = await post(kit.engine, amPayload([alert('fp-ok')]));
    expect(ok.outcome).toBe('accepted');
  });

  it('a storage failure while recording a rejection is logged; the answer stays 401', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const store = new SqliteStore(':memory:');
    const engine = new Engine({ store, clock: new ManualClock(), log, secrets: secretStoreFrom({ AM_TOKEN: TOKEN }), maxConcurrent: 1, executionDeadlineMs: 60_000, tickMs: 3_600_000 });
    await engine.start();
    await engine.flows.create(flow('disk', {}), { name: 'test', via: 'token' });
    const write = store.write.bind(store);
    store.write = (() => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))) as typeof store.write;
    await expect(post(engine, '{}', { authorization: 'Bearer wrong' })).rejects.toMatchObject({ code: 'unauthorized' });
    await waitFor(() => lines.some((l) => l.includes('could not record a refused webhook delivery')));
    store.write = write;
    expect(eventsRepo.list(store.db, { limit: 5 })).toEqual([]);
    await engine.shutdown(0);
    store.close();
  });

  it("a delivery id already received on the path is a duplicate even when nothing else says so", async () => {
    patchAdapter('deliveryId', (_config, request) => request.headers['x-delivery-id']);
    const kit = await setup();
    const first = await post(kit.engine, amPayload([alert('fp-1', 'resolved')], 'resolved'), { 'x-delivery-id': 'd-1' });
    expect(first.outcome).toBe('ignored');
    expect(eventById(kit, first.eventId).deliveryId).toBe('d-1');
    const again = await post(kit.engine, amPayload([alert('fp-1', 'resolved')], 'resolved'), { 'x-delivery-id': 'd-1' });
    expect(again.outcome).toBe('duplicate');
    expect(eventById(kit, again.eventId).reason).toBe('this delivery id was already received on this path');
    // Execution dedup stays the source of truth: a new alert under a reused id still runs.
    const fresh = await post(kit.engine, amPayload([alert('fp-new')]), { 'x-delivery-id': 'd-1' });
    expect(fresh.outcome).toBe('accepted');
  });

  it('not_found: a path no flow listens on is recorded with the paths that are, credential-like headers hidden', async () => {
    const kit = await setup();
    await expect(post(kit.engine, amPayload([alert('fp-1')]), { 'x-gitlab-token': 'tok-123', 'x-request-id': 'r-9' }, 'infar')).rejects.toMatchObject({
      code: 'not_found',
      // The answer names no flow: the caller is not authenticated.
      message: 'no enabled flow listens on /hooks/infar',
    });
    const ev = await nthEvent(kit, 1);
    expect(ev).toMatchObject({
      outcome: 'not_found',
      httpStatus: 404,
      path: 'infar',
      reason: 'no flow listens on /hooks/infar; enabled flows listen on /hooks/infra',
      sources: [],
      routes: [],
      alertCount: 0,
      executionCount: 0,
      error: { code: 'not_found', message: 'no enabled flow listens on /hooks/infar' },
    });
    expect(JSON.parse(ev.body)).toMatchObject({ version: '4' });
    expect(ev.headers).toMatchObject({ authorization: '***', 'x-gitlab-token': '***', 'x-request-id': 'r-9' });
    expect(JSON.stringify(eventsRepo.get(kit.store.db, ev.id))).not.toMatch(/tok-123|am-token-value/);
    expect(eventsRepo.list(kit.store.db, { limit: 10, outcome: 'not_found' }).map((e) => e.id)).toEqual([ev.id]);
  });

  it('not_found: a path whose flows are all disabled names them, and the flow filter finds it', async () => {
    const kit = await setup([flow('disk', {}), { ...flow('old', {}), name: 'Old disk cleanup', enabled: false }, { ...flow('older', {}), name: 'Older one', enabled: false }]);
    await kit.engine.flows.update('disk', { ...flow('disk', {}), enabled: false }, 1, { name: 'test', via: 'token' });
    await expect(post(kit.engine, amPayload([alert('fp-1')]))).rejects.toMatchObject({ code: 'not_found' });
    const ev = await nthEvent(kit, 1);
    expect(ev.reason).toBe("no enabled flow listens on /hooks/infra — flows 'disk', 'Old disk cleanup' and 'Older one' on this path are disabled");
    expect(ev.routes.map((r) => [r.flowId, r.result, r.reason])).toEqual([
      ['disk', 'skipped', 'flow disabled'],
      ['old', 'skipped', 'flow disabled'],
      ['older', 'skipped', 'flow disabled'],
    ]);
    // The disabled flow's secret header name is still hidden, and its refs find the event.
    expect(ev.headers.authorization).toBe('***');
    expect(eventsRepo.list(kit.store.db, { limit: 10, flowId: 'old' }).map((e) => e.id)).toEqual([ev.id]);

    await kit.engine.flows.update('old', { ...flow('old', {}), name: 'Old disk cleanup', enabled: true }, 1, { name: 'test', via: 'token' });
    expect((await post(kit.engine, amPayload([alert('fp-2')]))).outcome).toBe('accepted');
  });

  it('not_found: every unknown path shares one per-minute budget, so random paths cannot flood the log', async () => {
    const kit = await setup();
    const n = REFUSALS_PER_PATH_PER_MINUTE + 5;
    for (let i = 0; i < n; i++) await expect(post(kit.engine, '{}', {}, `probe-${i}`)).rejects.toMatchObject({ code: 'not_found' });
    await waitFor(() => events(kit).length === REFUSALS_PER_PATH_PER_MINUTE);
    // A refusal on a real path still has a budget of its own.
    await expect(post(kit.engine, '{}', { authorization: 'Bearer wrong' })).rejects.toMatchObject({ code: 'unauthorized' });
    await waitFor(() => events(kit).length === REFUSALS_PER_PATH_PER_MINUTE + 1);
    kit.clock.advance(60_000);
    await expect(post(kit.engine, '{}', {}, 'x'.repeat(500))).rejects.toMatchObject({ code: 'not_found' });
    const ev = await nthEvent(kit, REFUSALS_PER_PATH_PER_MINUTE + 2);
    expect(ev.suppressedBefore).toBe(5);
    expect(ev.path).toHaveLength(200);
  });

  it('unavailable: a delivery over the queue cap is recorded as 503 with when to retry', async () => {
    const kit = testEngine({ secrets: { AM_TOKEN: TOKEN }, maxQueued: 1 });
    await kit.engine.start();
    await kit.engine.flows.create(flow('disk', {}), { name: 'test', via: 'token' });
    await kit.engine.setPaused(true, { name: 'test', via: 'token' });
    expect((await post(kit.engine, amPayload([alert('fp-1')]))).outcome).toBe('accepted');
    kit.clock.advance(1000);
    await expect(post(kit.engine, amPayload([alert('fp-2')]))).rejects.toMatchObject({ code: 'unavailable' });
    const ev = await waitFor(() => events(kit).find((e) => e.outcome === 'unavailable'));
    expect(parsed(ev)).toMatchObject({
      httpStatus: 503,
      reason: 'too many executions are queued; the sender was asked to retry after 30 s',
      executionCount: 0,
      routes: [{ flowId: 'disk', result: 'authenticated' }],
    });
    expect(executionsRepo.list(kit.store.db, { limit: 10 })).toHaveLength(1);
  });

  it('handshake: recorded with the answer the source gave', async () => {
    patchAdapter('handshake', (_config, body) => ((body as { ping?: boolean }).ping ? { status: 200, message: 'pong' } : undefined));
    const kit = await setup();
    const result = await post(kit.engine, { ping: true });
    expect(result).toMatchObject({ outcome: 'handshake', handshake: { status: 200, message: 'pong' } });
    expect(result.eventId).toMatch(/^ev_/);
    expect(eventById(kit, result.eventId)).toMatchObject({ outcome: 'handshake', httpStatus: 200, reason: 'pong', alertCount: 0 });
  });
});
