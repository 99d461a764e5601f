import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../runtime/engine/engine.js';
import { secretStoreFrom } from '../../runtime/engine/secrets/secrets.js';
import { SalveMetrics } from '../../runtime/metrics.js';
import { PostgresPool, PostgresUnavailableError } from '../../runtime/store/pg/pool.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';
import { amBody } from '../kit/alertmanager.js';
import { ManualClock, webhookDelivery } from '../kit/engine.js';
import { flowDoc } from '../kit/flow.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { waitFor } from '../kit/wait.js';

/**
 * The whole engine over PostgreSQL, two processes on one database (each its own pool, queue,
 * store, engine and metrics): what one saves, the other routes after its sync; a delivery to
 * either runs once; the metrics of the process that ended a run count it once it committed.
 */

const log = pino({ level: 'silent' });
const actor = { name: 'ana', via: 'token' as const };

/** The sum of `name`'s samples in a scrape (labels ignored). */
const total = (scrape: string, name: string) =>
  scrape
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

describe.runIf(postgresAvailable)('the engine on PostgreSQL, two processes', () => {
  const processes = postgresProcesses();

  const openProcess = async (url: string, clock: ManualClock) => {
    const { store } = await processes.open(url);
    const engine = new Engine({
      store,
      clock,
      log,
      secrets: secretStoreFrom({}),
      maxConcurrent: 4,
      executionDeadlineMs: 3_600_000,
      tickMs: 3_600_000, // the test calls tick() and syncShared() itself
      scheduleTimers: false,
    });
    const metrics = new SalveMetrics(store);
    processes.onClose(async () => {
      await engine.shutdown(1_000);
      metrics.close();
    });
    await engine.start();
    return { engine, store, metrics };
  };

  const setup = async () => {
    const database = await processes.database();
    const clock = new ManualClock();
    return { a: await openProcess(database.url, clock), b: await openProcess(database.url, clock) };
  };

  const checkFlow = flowDoc({
    id: 'disk-full',
    nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.labels.severity == "critical"' } }],
    edges: [{ source: 'am', target: 'check' }],
  });

  it('routes a flow saved through the other process after its sync, runs each delivery once, and counts ended runs once', async () => {
    const { a, b } = await setup();
    await a.engine.flows.create(checkFlow, actor);
    // B has not looked yet: the path is unknown to it.
    expect(b.engine.router.routes('infra')).toEqual([]);
    await b.engine.syncShared();
    expect(b.engine.router.routes('infra').map((r) => r.flow.id)).toEqual(['disk-full']);

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? a : b;
      const result = await via.engine.ingest('infra', webhookDelivery(amBody(`fp${i}`, { severity: 'critical' })));
      ids.push(...result.executions.map((e) => e.id));
    }
    expect(ids).toHaveLength(6);
    const statuses = () => a.store.read(async (tx) => Promise.all(ids.map(async (id) => (await tx.executions.get(id))?.status)));
    // A condition and no action: each run ends `no_action`.
    await waitFor(async () => (await statuses()).every((s) => s === 'no_action'));
    await a.engine.idle();
    await b.engine.idle();

    // Each run ended in one process, and only that process counted it.
    const [scrapeA, scrapeB] = [(await a.metrics.scrape()).body, (await b.metrics.scrape()).body];
    expect(total(scrapeA, 'salve_executions_total') + total(scrapeB, 'salve_executions_total')).toBe(6);
    // The gauges read the shared database: both processes see the same (empty) queue.
    expect(total(scrapeA, 'salve_queue_depth')).toBe(0);
    expect(total(scrapeB, 'salve_executions_active')).toBe(0);
    expect(total(scrapeA, 'salve_store_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(a.engine.databaseState).toBe('ok');
    expect(a.engine.queueState).toBe('ok');
  });

  it("says the database is failing (healthz) while PostgreSQL cannot be reached, and ok once a write commits", async () => {
    const database = await processes.database();
    const { store: back, queue } = await processes.open(database.url);
    // Nothing listens on port 1: every connection is refused, as when PostgreSQL is down.
    const away = new PostgresStore(new PostgresPool('postgres://salve@127.0.0.1:1/salve', { log, connectTimeoutMs: 500 }), queue, log);
    processes.onClose(() => away.close());
    const write = (store: PostgresStore) => store.write((tx) => tx.settings.set('probe', 'x', 1));
    await expect(write(away)).rejects.toBeInstanceOf(PostgresUnavailableError);
    expect(away.writeState).toBe('failing');
    expect(away.busy).toBe(false);
    await write(back);
    expect(back.writeState).toBe('ok');
  });

  it('a flow disabled through one process stops routing on the other after its sync', async () => {
    const { a, b } = await setup();
    await a.engine.flows.create(checkFlow, actor);
    await b.engine.syncShared();
    await a.engine.flows.setEnabled('disk-full', false, actor);
    expect(b.engine.router.routes('infra')).toHaveLength(1);
    await b.engine.syncShared();
    expect(b.engine.router.routes('infra')).toEqual([]);
    const refused = await b.engine.ingest('infra', webhookDelivery(amBody('fp1'))).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'not_found' });
  });
});
