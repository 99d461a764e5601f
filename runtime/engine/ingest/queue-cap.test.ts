import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqliteTx, type StoreTx } from '../../store/tx.js';
import { UnavailableError } from '../../../shared/errors.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { newId } from '../../store/ids.js';
import { scheduleTicksRepo } from '../../store/schedule-ticks-repo.js';
import { QueueCap } from './queue-cap.js';
import { ManualClock, testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { amSource, flowDoc } from '../../../test/kit/flow.js';

const T0 = Date.parse('2026-11-24T00:00:00Z');

const flow = flowDoc({
  id: 'capped',
  source: amSource({ path: 'capped' }),
  nodes: [
    { id: 'manual', type: 'source.manual', config: {} },
    { id: 'tick', type: 'source.schedule', config: { cron: '* * * * *', catchUpSeconds: 120 } },
    { id: 'check', type: 'condition.expr', config: { expression: 'true' } },
  ],
  edges: [
    { source: 'am', target: 'check' },
    { source: 'manual', target: 'check' },
    { source: 'tick', target: 'check' },
  ],
});

type T = ReturnType<typeof testEngine>;
const deliver = (t: T, fp: string) => t.engine.ingest('capped', webhookDelivery(amBody(fp)));
const queued = (t: T) => executionsRepo.countByStatus(t.store.db, 'queued');

describe('the queue cap (SALVE_MAX_QUEUED)', () => {
  const engines: T[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const t of engines.splice(0)) {
      await t.engine.shutdown(1000);
      t.store.close();
    }
  });
  /** An engine with automation paused, so nothing leaves the queue. */
  const capped = async (maxQueued: number) => {
    const t = testEngine({ maxQueued, clock: new ManualClock(T0) });
    engines.push(t);
    await t.engine.start();
    await t.engine.flows.create(flow, { name: 'test', via: 'token' });
    await t.engine.setPaused(true, { name: 'test', via: 'token' });
    return t;
  };

  it('admits concurrent deliveries exactly up to the cap, counted once per commit, and refuses the rest with 503 Retry-After 30', async () => {
    const t = await capped(5);
    const count = vi.spyOn(executionsRepo, 'countByStatus');
    // Twelve deliveries in one event-loop turn: one group commit decides them all.
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => deliver(t, `fp${i}`)));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(UnavailableError);
      expect((r.reason as UnavailableError).retryAfterSeconds).toBe(30);
    }
    expect(count).toHaveBeenCalledTimes(1);
    count.mockRestore();
    expect(queued(t)).toBe(5);
    // A refused delivery wrote nothing: five executions, five events.
    expect(t.store.sqlite.prepare('SELECT count(*) AS n FROM executions').get()).toEqual({ n: 5 });
    expect(t.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE path = 'capped'").get()).toEqual({ n: 5 });
  });

  it('still acknowledges, when full, an alert it already holds (nothing is added)', async () => {
    const t = await capped(1);
    await deliver(t, 'held');
    await expect(deliver(t, 'new')).rejects.toBeInstanceOf(UnavailableError);
    const again = await deliver(t, 'held');
    expect(again).toMatchObject({ executions: [], duplicates: 1, outcome: 'duplicate' });
    expect(queued(t)).toBe(1);
  });

  it('refuses a manual run over the cap, writing nothing', async () => {
    const t = await capped(1);
    await t.engine.runManually('capped', { payload: {} }, { name: 'alice', via: 'token' });
    await expect(t.engine.runManually('capped', { payload: {} }, { name: 'alice', via: 'token' })).rejects.toBeInstanceOf(UnavailableError);
    expect(queued(t)).toBe(1);
    expect(t.store.sqlite.prepare("SELECT count(*) AS n FROM audit WHERE action = 'flow.run'").get()).toEqual({ n: 1 });
  });

  it('lets a schedule tick wait while the queue is full, and records it as missed once too late', async () => {
    const t = await capped(1);
    await deliver(t, 'filler');
    t.clock.t = T0 + 60_000;
    expect((await t.engine.schedules.check()).map((o) => o.result)).toEqual(['deferred']);
    expect(scheduleTicksRepo.forFlow(t.store.db, 'capped', 10)).toEqual([]);
    // Still full 2 minutes after the tick (catchUpSeconds 120): that tick is recorded as missed.
    t.clock.t = T0 + 60_000 + 121_000;
    const later = await t.engine.schedules.check();
    expect(later.map((o) => o.result)).toEqual(['missed', 'deferred']);
    expect(queued(t)).toBe(1);
  });

  it('counts again when anything else wrote between two admissions in one transaction', async () => {
    const t = await capped(2);
    const cap = new QueueCap(t.store, 2);
    const insert = (db: Parameters<Parameters<T['store']['write']>[0]>[0], id: string) =>
      executionsRepo.insertIfNew(db, {
        id,
        flowId: 'capped',
        flowRevision: 1,
        eventId: newId('ev'),
        sourceNodeId: 'am',
        dedupKey: id,
        alert: '{}',
        status: 'queued',
        createdAt: T0,
        updatedAt: T0,
        deadlineAt: T0 + 1000,
      });
    const results = await Promise.allSettled([
      t.store.write(async (db) => insert(db, newId('ex')) && (await cap.admit(sqliteTx(db), 1))), // 1 queued: admitted
      t.store.write((db) => insert(db, newId('ex'))), // 2 queued, behind the cap's back
      t.store.write(async (db) => insert(db, newId('ex')) && (await cap.admit(sqliteTx(db), 1))), // 3 > 2: refused
      t.store.write((db) => {
        throw new Error(`rolled back ${insert(db, newId('ex'))}`); // nothing kept
      }),
      t.store.write(async (db) => insert(db, newId('ex')) && (await cap.admit(sqliteTx(db), 1))), // still 3 > 2: refused
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    expect((results[4] as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    expect(queued(t)).toBe(2);
  });
});

describe('QueueCap on PostgreSQL: a process reuses its count for a second while far below the cap', () => {
  /** A transaction of the PostgreSQL engine that only answers the count (`queued` runs), counting the counts. */
  const pg = () => {
    const state = { queued: 0, counts: 0 };
    const tx = {
      engine: 'postgres',
      executions: {
        countByStatus: async () => {
          state.counts++;
          return state.queued;
        },
      },
    } as unknown as StoreTx;
    return { state, tx };
  };

  it('counts once a second while under 90% of the cap, adding what it admitted since', async () => {
    let now = 0;
    const cap = new QueueCap(undefined, 100, () => now);
    const { state, tx } = pg();
    state.queued = 10;
    await cap.admit(tx, 1);
    expect(state.counts).toBe(1);
    for (let i = 0; i < 20; i++) await cap.admit(tx, 1);
    expect(state.counts).toBe(1);
    expect(await cap.fits(tx, 5)).toBe(true);
    cap.added(5);
    expect(state.counts).toBe(1);
    now += 1000; // a second old: counted again
    await cap.admit(tx, 1);
    expect(state.counts).toBe(2);
  });

  it('counts every admission near the cap, and refuses over it', async () => {
    const cap = new QueueCap(undefined, 100, () => 0);
    const { state, tx } = pg();
    // admit is called after the inserts: the count includes them.
    state.queued = 90;
    await cap.admit(tx, 1); // counted: 90, within the cap
    expect(state.counts).toBe(1);
    state.queued = 91;
    await cap.admit(tx, 1); // 90 + 1 > 90% of 100: counted again
    expect(state.counts).toBe(2);
    state.queued = 101; // other processes filled the queue
    await expect(cap.admit(tx, 1)).rejects.toBeInstanceOf(UnavailableError);
    await expect(cap.admit(tx, 1)).rejects.toBeInstanceOf(UnavailableError);
    expect(state.counts).toBe(4);
    expect(await cap.fits(tx, 1)).toBe(false);
    state.queued = 50; // drained: the memory (101) is over 90, so it counts, and the run fits
    expect(await cap.fits(tx, 1)).toBe(true);
    expect(state.counts).toBe(6);
  });
});
