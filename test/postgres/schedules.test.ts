import { drizzle } from 'drizzle-orm/node-postgres';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { getNodeDefinition } from '../../nodes/catalog.js';
import { FlowSchema } from '../../shared/flow/schema.js';
import { QueueCap } from '../../runtime/engine/ingest/queue-cap.js';
import { createScrubber } from '../../runtime/engine/secrets/scrub.js';
import { ScheduleRunner, type TickOutcome } from '../../runtime/engine/triggers/schedule-runner.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool } from '../../runtime/store/pg/pool.js';
import { RunQueue } from '../../runtime/store/pg/run-queue.js';
import * as pgSchema from '../../runtime/store/pg/schema.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';
import { ManualClock } from '../kit/engine.js';
import { flowDoc } from '../kit/flow.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

/**
 * Schedules on PostgreSQL: every process runs the same schedules, and each tick starts one run
 * whichever processes check it, however their checks interleave.
 */

const log = pino({ level: 'silent' });
const T0 = Date.parse('2026-11-24T00:00:00Z');

const flow = FlowSchema.parse(
  flowDoc({
    id: 'every-second',
    source: { id: 'tick', type: 'source.schedule', config: getNodeDefinition('source.schedule')!.configSchema.parse({ cron: '* * * * * *' }) as Record<string, unknown> },
    nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'true' } }],
    edges: [{ source: 'tick', target: 'check' }],
  }),
);

describe.runIf(postgresAvailable)('schedules on the PostgreSQL engine', () => {
  const fresh = databasesPerTest();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** One process's schedule runner over `url`; `clock` is shared (the processes' clocks agree). */
  const openProcess = async (url: string, clock: ManualClock) => {
    const pool = new PostgresPool(url);
    const queue = await RunQueue.open(pool, { log });
    const store = new PostgresStore(pool, queue, log);
    const runner = new ScheduleRunner({
      store,
      clock,
      log,
      executionDeadlineMs: 3_600_000,
      onQueued: () => {},
      queueCap: new QueueCap(undefined, 10_000),
      timers: false,
      scrubber: createScrubber([]),
    });
    runner.refresh([{ id: flow.id, name: flow.name, enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default', flow }]);
    runner.start();
    closers.push(async () => {
      runner.stop();
      store.close();
      await queue.close();
      await pool.close();
    });
    return { runner, store };
  };

  it('three processes checking a schedule every second: each tick starts one run, across 10 ticks', async () => {
    const database = await fresh();
    await migratePostgres(database.url);
    const clock = new ManualClock(T0);
    const processes = [await openProcess(database.url, clock), await openProcess(database.url, clock), await openProcess(database.url, clock)];
    const store = processes[0]!.store;
    const reader = new PostgresPool(database.url);
    closers.push(() => reader.close());
    const executions = () => reader.read((client) => drizzle(client, { schema: pgSchema }).select().from(pgSchema.executions));
    const outcomes: TickOutcome[] = [];
    for (let second = 1; second <= 10; second++) {
      clock.t = T0 + second * 1000;
      // Every process checks at once, twice (a timer and a refresh can overlap).
      const checks = await Promise.all(processes.flatMap((p) => [p.runner.check(), p.runner.check()]));
      outcomes.push(...checks.flat());
      // The dispatcher's part, done here: the run ends, so the next tick is not an overlap.
      const queued = (await executions()).filter((e) => e.status === 'queued');
      await store.write(async (tx) => {
        for (const e of queued) await tx.executions.transition(e.id, ['queued'], { status: 'succeeded', finishedAt: clock.t, updatedAt: clock.t });
      });
    }
    const started = outcomes.filter((o) => o.result === 'started');
    expect(started.map((o) => o.tickAt)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * 1000));
    // Any other outcome is a process finding the tick handled: nothing was started twice.
    expect(outcomes.filter((o) => o.result !== 'started' && o.result !== 'duplicate')).toEqual([]);
    const runs = await executions();
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((r) => JSON.parse(r.alert).startsAt)).size).toBe(10);
  });
});
