import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { UnauthorizedError, UnavailableError } from '../../shared/errors.js';
import { getNodeDefinition } from '../../nodes/catalog.js';
import { FlowSchema } from '../../shared/flow/schema.js';
import { EventRecorder } from '../../runtime/engine/ingest/event-recorder.js';
import { HookRouter } from '../../runtime/engine/ingest/hook-router.js';
import { ingestDelivery, type IngestDeps } from '../../runtime/engine/ingest/ingest.js';
import { QueueCap } from '../../runtime/engine/ingest/queue-cap.js';
import { createScrubber } from '../../runtime/engine/secrets/scrub.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool, PostgresUnavailableError } from '../../runtime/store/pg/pool.js';
import { RunQueue } from '../../runtime/store/pg/run-queue.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { flowDoc } from '../kit/flow.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

/**
 * A webhook delivery end to end on the PostgreSQL engine (ingestDelivery over PostgresStore):
 * authenticated, planned, committed with its run queued in pg-boss; refused ones recorded in the
 * event log; and with PostgreSQL out of reach, a 503 (Retry-After) and nothing acknowledged.
 */

const TOKEN = 'am-token-value-1234';
const T0 = Date.parse('2026-11-24T00:00:00Z');
const log = pino({ level: 'silent' });

const flow = FlowSchema.parse(
  flowDoc({
    id: 'f',
    source: { id: 'src', type: 'source.alertmanager', config: getNodeDefinition('source.alertmanager')!.configSchema.parse({ path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }) as Record<string, unknown> },
    nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'true' } }],
    edges: [{ source: 'src', target: 'check' }],
  }),
);

const request = (token: string, fps: string[]) => ({
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  rawBody: new TextEncoder().encode(JSON.stringify(amPayload(fps.map((fingerprint) => amAlert({ fingerprint }))))),
  remoteAddress: '192.0.2.7',
});

describe.runIf(postgresAvailable)('a webhook delivery on the PostgreSQL engine', () => {
  const fresh = databasesPerTest();
  const opened: { pool: PostgresPool; queue?: RunQueue }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.queue?.close();
      await o.pool.close();
    }
  });

  /** Ingest's dependencies on a PostgresStore over `url` (pool `poolUrl`, default the same). */
  const setup = async (url: string, poolUrl = url) => {
    const queuePool = new PostgresPool(url);
    const queue = await RunQueue.open(queuePool);
    opened.push({ pool: queuePool, queue });
    const pool = new PostgresPool(poolUrl, { connectTimeoutMs: 2000 });
    opened.push({ pool });
    const store = new PostgresStore(pool, queue, log);
    const router = new HookRouter();
    router.rebuild([{ id: 'f', name: flow.name, enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default', flow }]);
    const scrubber = createScrubber([]);
    const recorder = new EventRecorder(store, log, scrubber);
    const deps: IngestDeps = {
      store,
      router,
      clock: { now: () => T0 },
      secrets: (name) => (name === 'AM_TOKEN' ? TOKEN : undefined),
      scrubber,
      executionDeadlineMs: 60_000,
      queueCap: new QueueCap(undefined, 100),
      recorder,
    };
    return { deps, recorder, queuePool };
  };

  it('accepts a delivery: its event and runs are committed and each run is queued once; the same alerts again are duplicates', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const { deps, queuePool } = await setup(db.url);
    const result = await ingestDelivery(deps, 'infra', request(TOKEN, ['fp1', 'fp2']));
    expect(result).toMatchObject({ outcome: 'accepted', alerts: 2, duplicates: 0 });
    expect(result.executions).toHaveLength(2);
    const again = await ingestDelivery(deps, 'infra', request(TOKEN, ['fp1', 'fp2']));
    expect(again).toMatchObject({ outcome: 'duplicate', executions: [], duplicates: 2 });
    // Both at the same instant (a fixed clock), so compared without order.
    const rows = await db.query(async (c) => (await c.query('select outcome from events')).rows);
    expect(rows.map((r) => r.outcome).sort()).toEqual(['accepted', 'duplicate']);
    const jobs = await queuePool.read(async (c) => (await c.query("select data->>'executionId' as id from pgboss.job where name = 'salve-runs'")).rows.map((r) => r.id));
    expect(jobs.sort()).toEqual(result.executions.map((e) => e.id).sort());
  });

  it('refuses a wrong token with 401 and records the refusal in the event log, without a run', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const { deps, recorder } = await setup(db.url);
    await expect(ingestDelivery(deps, 'infra', request('wrong-token-value', ['fp1']))).rejects.toBeInstanceOf(UnauthorizedError);
    await recorder.idle();
    const rows = await db.query(async (c) => (await c.query('select outcome, http_status from events')).rows);
    expect(rows).toEqual([{ outcome: 'rejected', http_status: 401 }]);
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from executions')).rows[0].n)).toBe(0);
  });

  it('an engine write (writeEventually) waits through PostgreSQL being unavailable and commits once it is back; closing stops it', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const { deps } = await setup(db.url);
    const store = deps.store as PostgresStore;
    let attempts = 0;
    const kept = await store.writeEventually(async (tx) => {
      attempts++;
      // The first two attempts meet an unavailable server, as PostgresPool reports it.
      if (attempts <= 2) throw new PostgresUnavailableError('PostgreSQL at 127.0.0.1:5432 is unavailable (ECONNREFUSED)');
      return tx.executions.countByStatus('queued');
    });
    expect({ attempts, kept }).toEqual({ attempts: 3, kept: 0 });
    // Any other error is the write's own, a full queue's 503 too: not retried.
    attempts = 0;
    const full = store.writeEventually(async () => {
      attempts++;
      throw new UnavailableError('too many executions are queued; retry later', 30);
    });
    await expect(full).rejects.toThrow('too many executions are queued');
    expect(attempts).toBe(1);
    attempts = 0;
    const buggy = store.writeEventually(async () => {
      attempts++;
      throw new Error('a bug');
    });
    await expect(buggy).rejects.toThrow('a bug');
    expect(attempts).toBe(1);
    store.close();
    await expect(store.writeEventually(async () => 1)).rejects.toThrow('store is closed');
  });

  it('answers 503 with Retry-After when PostgreSQL cannot be reached, and does not crash', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    // The store's pool points at a port nothing listens on (the queue's own pool is fine).
    const { deps, recorder } = await setup(db.url, 'postgres://postgres@127.0.0.1:1/postgres');
    const refused = ingestDelivery(deps, 'infra', request(TOKEN, ['fp1']));
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 5, message: expect.stringContaining('127.0.0.1:1') });
    await recorder.idle(); // its record cannot be written either: logged, never thrown
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from executions')).rows[0].n)).toBe(0);
  });
});
