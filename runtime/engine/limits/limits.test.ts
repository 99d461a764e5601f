import { sqliteStore } from '../../store/store.js';
import { sqliteTx } from '../../store/tx.js';
import { describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../../../test/kit/alertmanager.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { flowDoc, type NodeDoc } from '../../../test/kit/flow.js';
import { waitFor } from '../../../test/kit/wait.js';
import type { EventMatch } from '../../../shared/event-log.js';
import { breakersRepo } from '../../store/breakers-repo.js';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo, type ExecutionRow } from '../../store/executions-repo.js';
import { endExecution } from '../dispatch/transitions.js';
import { SalveMetrics } from '../../metrics.js';

const actor = { name: 'test', via: 'token' as const };
const MIN = 60_000;

/** An engine that accepts deliveries but never runs them (runs stay queued: active). */
async function engineWith(limits: Record<string, unknown>, opts: { run?: boolean; nodes?: NodeDoc[] } = {}) {
  const t = testEngine();
  await t.engine.start();
  if (!opts.run) void t.engine.dispatcher.drain(0);
  const nodes = opts.nodes ?? [];
  const edges = nodes.length ? [{ source: 'am', target: nodes[0]!.id }] : [];
  await t.engine.flows.create({ ...flowDoc({ nodes, edges }), limits }, actor);
  return t;
}

type T = Awaited<ReturnType<typeof engineWith>>;

/** Delivers one alert per host (fingerprints unique per call) and returns the runs created, in order. */
let serial = 0;
async function deliver(t: T, ...hosts: string[]): Promise<{ rows: ExecutionRow[]; matches: EventMatch[] }> {
  const alerts = hosts.map((instance) => amAlert({ instance, fingerprint: `fp-${serial++}` }));
  const result = await t.engine.ingest('infra', webhookDelivery(amPayload(alerts)));
  const event = eventsRepo.get(t.store.db, result.eventId)!;
  return { rows: result.executions.map((e) => executionsRepo.get(t.store.db, e.id)!), matches: JSON.parse(event.matches) as EventMatch[] };
}

const statuses = (rows: ExecutionRow[]) => rows.map((r) => r.status);

describe('guard rails: each limit, decided in the transaction that creates the run', () => {
  it('maxRunsPerWindow: runs beyond N within the window are held, counting runs of the same delivery; the window moves on', async () => {
    const t = await engineWith({ maxRunsPerWindow: { runs: 2, window: 600 } });
    const first = await deliver(t, 'a', 'b', 'c');
    expect(statuses(first.rows)).toEqual(['queued', 'queued', 'held']);
    expect(first.rows[2]!.heldLimit).toBe('maxRunsPerWindow');
    expect(first.rows[2]!.heldReason).toBe('maxRunsPerWindow: 2 runs of this flow started in the last 10 min; at most 2 per 10 min');
    expect(first.matches.map((m) => m.result)).toEqual(['started', 'started', 'held']);
    expect(first.matches[2]!.reason).toBe(first.rows[2]!.heldReason);
    // A held run does not count: after the window only the two that started age out.
    t.clock.advance(601_000);
    expect(statuses((await deliver(t, 'd', 'e', 'f')).rows)).toEqual(['queued', 'queued', 'held']);
  });

  it('cooldown: the same target within the cooldown is held, naming the earlier run; another target and a later time pass', async () => {
    const t = await engineWith({ target: { key: 'alert.labels.instance', cooldown: 1800 } });
    const [first] = (await deliver(t, 'web-1')).rows;
    expect(first!.targetKey).toBe('web-1');
    t.clock.advance(4 * MIN);
    const again = (await deliver(t, 'web-1', 'web-2')).rows;
    expect(statuses(again)).toEqual(['held', 'queued']);
    expect(again[0]!.heldReason).toBe(`cooldown: web-1 was remediated 4 min before this run (run ${first!.id}); cooldown 30 min`);
    t.clock.advance(27 * MIN); // 31 min after the first
    expect(statuses((await deliver(t, 'web-1')).rows)).toEqual(['queued']);
  });

  it('maxConcurrent: a target with N active runs holds the next; it passes once one ended', async () => {
    const t = await engineWith({ target: { key: 'alert.labels.instance', maxConcurrent: 1 } });
    const [first] = (await deliver(t, 'web-1')).rows;
    const second = (await deliver(t, 'web-1', 'web-2')).rows;
    expect(statuses(second)).toEqual(['held', 'queued']);
    expect(second[0]!.heldReason).toBe('maxConcurrent: 1 run for web-1 is still active; at most 1 at a time');
    await t.engine.cancel(first!.id, actor);
    expect(statuses((await deliver(t, 'web-1')).rows)).toEqual(['queued']);
  });

  it('blastRadius: beyond N distinct targets in the window a new target is held; a target already counted passes', async () => {
    const t = await engineWith({ target: { key: 'alert.labels.instance' }, blastRadius: { targets: 2, window: 600 } });
    const { rows, matches } = await deliver(t, 'web-1', 'web-2', 'web-3', 'web-1');
    expect(statuses(rows)).toEqual(['queued', 'queued', 'held', 'queued']);
    expect(rows[2]!.heldLimit).toBe('blastRadius');
    expect(rows[2]!.heldReason).toBe('blastRadius: 2 targets (web-1, web-2) already acted on in the last 10 min; at most 2 per 10 min, and web-3 would be one more');
    expect(matches[2]).toMatchObject({ result: 'held', executionId: rows[2]!.id });
    t.clock.advance(601_000);
    expect(statuses((await deliver(t, 'web-3')).rows)).toEqual(['queued']);
  });

  it('a key that cannot be rendered counts as the one target "(unknown)"', async () => {
    const t = await engineWith({ target: { key: 'alert.labels.rack', cooldown: 600 } });
    const rows = (await deliver(t, 'web-1', 'web-2')).rows;
    expect(rows.map((r) => r.targetKey)).toEqual(['(unknown)', '(unknown)']);
    expect(statuses(rows)).toEqual(['queued', 'held']);
  });

  it('a duplicate stays a duplicate, never held', async () => {
    const t = await engineWith({ maxRunsPerWindow: { runs: 1, window: 600 } });
    const body = amPayload([amAlert({ instance: 'web-1', fingerprint: 'same' })]);
    await t.engine.ingest('infra', webhookDelivery(body));
    const again = await t.engine.ingest('infra', webhookDelivery(body));
    expect(again.executions).toEqual([]);
    expect(again.outcome).toBe('duplicate');
    expect(executionsRepo.list(t.store.db, { status: 'held', limit: 10 })).toEqual([]);
  });

  it('manual runs are held by the same limits; a held run is released (limits not re-checked) and runs, audited', async () => {
    const t = testEngine();
    await t.engine.start();
    await t.engine.flows.create(
      { ...flowDoc({ source: { id: 'run', type: 'source.manual', config: {} } }), limits: { maxRunsPerWindow: { runs: 1, window: 600 } } },
      actor,
    );
    const first = await t.engine.runManually('f1', { payload: {} }, actor);
    const second = await t.engine.runManually('f1', { payload: {} }, actor);
    expect([first.held, second.held]).toEqual([false, true]);
    await waitFor(() => executionsRepo.get(t.store.db, first.executionId)?.status === 'no_action');
    expect(executionsRepo.get(t.store.db, second.executionId)?.status).toBe('held');
    await t.engine.release(second.executionId, { ...actor, identity: 'user:alice' }, 'checked, go');
    await waitFor(() => executionsRepo.get(t.store.db, second.executionId)?.status === 'no_action');
    const row = executionsRepo.get(t.store.db, second.executionId)!;
    expect(row).toMatchObject({ heldLimit: 'maxRunsPerWindow', releasedBy: 'user:alice', releasedComment: 'checked, go' });
    await expect(t.engine.release(second.executionId, actor)).rejects.toMatchObject({ code: 'conflict' });
    const audit = t.store.sqlite.prepare(`SELECT action, target FROM audit WHERE action = 'execution.release'`).all();
    expect(audit).toEqual([{ action: 'execution.release', target: second.executionId }]);
  });

  it('a held run is cancelled like any other, and never started by the dispatcher', async () => {
    const t = await engineWith({ maxRunsPerWindow: { runs: 1, window: 600 } }, { run: true });
    const rows = (await deliver(t, 'a', 'b')).rows;
    await t.engine.idle();
    expect(executionsRepo.get(t.store.db, rows[1]!.id)?.status).toBe('held');
    await t.engine.cancel(rows[1]!.id, actor);
    expect(executionsRepo.get(t.store.db, rows[1]!.id)?.status).toBe('cancelled');
  });
});

describe('guard rails: the circuit breaker', () => {
  it('trips after K failures within the window, holds new runs while tripped, and a reset starts them again', async () => {
    const t = await engineWith({ breaker: { failures: 2, window: 600 } });
    const timeOut = (row: ExecutionRow) =>
      t.store.write((db) => endExecution(sqliteTx(db), executionsRepo.get(db, row.id)!, 'timed_out', 'execution deadline exceeded', t.clock.now()));
    const [a, b] = (await deliver(t, 'a', 'b')).rows;
    await timeOut(a!);
    expect((await t.engine.breaker('f1')).state).toBe('closed');
    t.clock.advance(MIN);
    await timeOut(b!);
    const tripped = (await t.engine.breaker('f1'));
    expect(tripped).toMatchObject({ state: 'tripped', trippedAt: t.clock.now(), policy: { failures: 2, window: 600 } });
    expect(tripped.failures?.map((f) => [f.executionId, f.status])).toEqual([
      [a!.id, 'timed_out'],
      [b!.id, 'timed_out'],
    ]);
    expect((await t.engine.flows.list()).find((f) => f.id === 'f1')?.breaker).toEqual({ trippedAt: t.clock.now() });

    const held = (await deliver(t, 'c')).rows[0]!;
    expect(held).toMatchObject({ status: 'held', heldLimit: 'breaker' });
    expect(held.heldReason).toContain("breaker: this flow's circuit breaker tripped");

    const after = await t.engine.resetBreaker('f1', { ...actor, identity: 'user:bob' });
    expect(after).toMatchObject({ state: 'closed', resetBy: 'user:bob' });
    expect((await t.engine.flows.list()).find((f) => f.id === 'f1')?.breaker).toBeUndefined();
    await expect(t.engine.resetBreaker('f1', actor)).rejects.toMatchObject({ code: 'conflict' });
    // Failures before the reset do not count again: one more failure does not trip it.
    const [d] = (await deliver(t, 'd')).rows;
    expect(d!.status).toBe('queued');
    await timeOut(d!);
    expect(breakersRepo.isTripped(t.store.db, 'f1')).toBe(false);
  });

  it('trips on runs that really fail (an unhandled failed step)', async () => {
    const t = await engineWith({ breaker: { failures: 2, window: 600 } }, { run: true, nodes: [{ id: 'fail', type: 'action.shell', config: { command: ['false'] } }] });
    const rows = (await deliver(t, 'a', 'b')).rows;
    await waitFor(() => rows.every((r) => executionsRepo.get(t.store.db, r.id)?.status === 'failed'));
    expect((await t.engine.breaker('f1')).state).toBe('tripped');
    expect((await deliver(t, 'c')).rows[0]!.status).toBe('held');
  });
});

describe('guard rails: escalation, called flows and metrics', () => {
  it('onHeld queues a run of the named flow in the same write, with what was held as its input', async () => {
    const t = testEngine();
    await t.engine.start();
    void t.engine.dispatcher.drain(0);
    await t.engine.flows.create({ ...flowDoc({ id: 'page', source: { id: 'run', type: 'source.manual', config: {} } }) }, actor);
    await t.engine.flows.create({ ...flowDoc(), limits: { target: { key: 'alert.labels.instance', cooldown: 600 }, onHeld: { flow: 'page' } } }, actor);
    await deliver(t as T, 'web-1');
    const held = (await deliver(t as T, 'web-1')).rows[0]!;
    expect(held.status).toBe('held');
    const pages = executionsRepo.list(t.store.db, { flowId: 'page', limit: 5 });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.status).toBe('queued');
    expect(JSON.parse(pages[0]!.input!)).toEqual({ flowId: 'f1', executionId: held.id, limit: 'cooldown', reason: held.heldReason, targetKey: 'web-1' });
  });

  it("a flow.call child is held by the called flow's own limits; its caller waits, and continues once it is released", async () => {
    const t = testEngine();
    await t.engine.start();
    await t.engine.flows.create(
      { ...flowDoc({ id: 'fix', source: { id: 'run', type: 'source.manual', config: {} } }), limits: { maxRunsPerWindow: { runs: 1, window: 600 } } },
      actor,
    );
    await t.engine.flows.create(flowDoc({ nodes: [{ id: 'call', type: 'flow.call', config: { flow: 'fix' } }], edges: [{ source: 'am', target: 'call' }] }), actor);
    const [a] = (await deliver(t as T, 'web-1')).rows;
    // The called flow does nothing: both callers end no_action once their child ended.
    await waitFor(() => executionsRepo.get(t.store.db, a!.id)?.status === 'no_action');
    const [b] = (await deliver(t as T, 'web-2')).rows;
    const child = () => executionsRepo.children(t.store.db, b!.id)[0];
    await waitFor(() => child()?.status === 'held');
    expect(child()!.heldLimit).toBe('maxRunsPerWindow');
    expect(executionsRepo.get(t.store.db, b!.id)?.status).toBe('waiting');
    await t.engine.release(child()!.id, actor);
    await waitFor(() => executionsRepo.get(t.store.db, b!.id)?.status === 'no_action');
    expect(child()!.status).toBe('no_action');
  });

  it('counts held runs per flow and limit, and tripped breakers, for /metrics', async () => {
    const t = await engineWith({ maxRunsPerWindow: { runs: 1, window: 600 }, breaker: { failures: 1, window: 600 } });
    const metrics = new SalveMetrics(sqliteStore(t.store));
    const [first] = (await deliver(t, 'a', 'b', 'c')).rows;
    await t.store.write((db) => endExecution(sqliteTx(db), executionsRepo.get(db, first!.id)!, 'timed_out', 'deadline', t.clock.now()));
    await deliver(t, 'd');
    const text = (await metrics.scrape()).body;
    metrics.close();
    expect(text).toContain('salve_executions_held_total{flow="f1",limit="maxRunsPerWindow"} 2');
    expect(text).toContain('salve_executions_held_total{flow="f1",limit="breaker"} 1');
    expect(text).toMatch(/^salve_breakers_tripped 1$/m);
  });
});
