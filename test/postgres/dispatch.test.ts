import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowSchema } from '../../shared/flow/schema.js';
import { getNodeDefinition } from '../../nodes/catalog.js';
import { Dispatcher } from '../../runtime/engine/dispatch/dispatcher.js';
import { decideApproval } from '../../runtime/engine/approvals/decide.js';
import type { Decider } from '../../runtime/engine/approvals/rules.js';
import { principalOf } from '../../runtime/http/roles.js';
import { LEASE_MS } from '../../runtime/engine/dispatch/leases.js';
import { EventRecorder } from '../../runtime/engine/ingest/event-recorder.js';
import { HookRouter } from '../../runtime/engine/ingest/hook-router.js';
import { ingestDelivery, type IngestDeps } from '../../runtime/engine/ingest/ingest.js';
import { QueueCap } from '../../runtime/engine/ingest/queue-cap.js';
import { createScrubber } from '../../runtime/engine/secrets/scrub.js';
import { secretStoreFrom } from '../../runtime/engine/secrets/secrets.js';
import { DestinationPolicy } from '../../runtime/net/destination-policy.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool } from '../../runtime/store/pg/pool.js';
import { RUN_QUEUE, RunQueue } from '../../runtime/store/pg/run-queue.js';
import * as pgSchema from '../../runtime/store/pg/schema.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { ManualClock } from '../kit/engine.js';
import { flowDoc } from '../kit/flow.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * Several Salve processes on one PostgreSQL database: any of them takes any queued run from
 * pg-boss, each run is claimed once, and a process that dies mid-step is replaced by another once
 * its lease ends, with the crash rules of SQLite mode. Each "process" here is its own pool, run
 * queue, store and dispatcher in this test's Node process, as `salve serve` wires them.
 */

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const T0 = Date.parse('2026-11-24T00:00:00Z');

/** A flow whose only action calls the target: an idempotent HTTP POST (same key when it runs again). */
/** A node's config with its defaults, as saving a flow stores it. */
const configOf = (type: string, config: object) => getNodeDefinition(type)!.configSchema.parse(config) as Record<string, unknown>;

/** The flow's shape: the source, then `call`; `approval` puts an approval.request (`ask`) before it. */
interface FlowShape {
  action?: { type: string; config: object };
  approval?: object;
}

const flowFor = (target: Target, { action, approval }: FlowShape = {}) =>
  FlowSchema.parse(
    flowDoc({
      id: 'f',
      source: { id: 'am', type: 'source.alertmanager', config: configOf('source.alertmanager', { path: 'infra', auth: { type: 'none' } }) },
      nodes: [
        ...(approval ? [{ id: 'ask', type: 'approval.request', config: configOf('approval.request', approval) }] : []),
        action
          ? { id: 'call', type: action.type, config: configOf(action.type, action.config) }
          : // `event` makes the runner read the delivery body from PostgreSQL before rendering.
            { id: 'call', type: 'action.http', config: configOf('action.http', { url: `${target.url}/restart/{{ alert.fingerprint }}`, body: '{{ event.receiver }}', timeoutSeconds: 60 }) },
      ],
      edges: approval
        ? [
            { source: 'am', target: 'ask' },
            { source: 'ask', sourcePort: 'approved', target: 'call' },
          ]
        : [{ source: 'am', target: 'call' }],
    }),
  );

/** A person holding the approver role in team `default` (the flow's), as a transport builds one. */
const approver = (id: string): Decider => ({
  actor: { name: id, via: 'session' },
  identity: `user:${id}`,
  principal: principalOf({
    kind: 'session',
    user: { id, username: id, displayName: id, kind: 'person' },
    admin: false,
    teamRoles: new Map([['default', new Set(['approver'] as const)]]),
  }),
});

const delivery = (fps: readonly string[]) => ({
  headers: { 'content-type': 'application/json' },
  rawBody: new TextEncoder().encode(JSON.stringify(amPayload(fps.map((fingerprint) => amAlert({ fingerprint }))))),
  remoteAddress: '192.0.2.7',
});

describe.runIf(postgresAvailable)('several processes dispatching from one PostgreSQL database', () => {
  const fresh = databasesPerTest();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A Salve process's engine parts over `url`, with its own clock (tests move it to end leases). */
  const openProcess = async (url: string, flow: ReturnType<typeof flowFor>) => {
    const clock = new ManualClock(T0);
    const pool = new PostgresPool(url);
    const queue = await RunQueue.open(pool, { log });
    const store = new PostgresStore(pool, queue, log);
    const dispatcher = new Dispatcher(
      {
        store,
        clock,
        log,
        secrets: secretStoreFrom({}),
        network: new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => undefined }),
        flowAt: (tx, id, revision) => tx.flows.getRevision(id, revision),
      },
      // Ticks are called by the test.
      { maxConcurrent: 3, tickMs: 3_600_000 },
    );
    closers.push(async () => {
      await dispatcher.drain(0);
      store.close();
      await queue.close();
      await pool.close();
    });
    const router = new HookRouter();
    router.rebuild([{ id: 'f', name: flow.name, enabled: true, revision: 1, createdAt: T0, updatedAt: T0, teamId: 'default', flow }]);
    const scrubber = createScrubber([]);
    const ingest: IngestDeps = {
      store,
      router,
      clock,
      secrets: () => undefined,
      scrubber,
      executionDeadlineMs: 3_600_000,
      queueCap: new QueueCap(undefined, 10_000),
      recorder: new EventRecorder(store, log, scrubber),
    };
    const decide = (approvalId: string, decider: Decider) =>
      decideApproval({ store, now: clock.now(), flowAt: (tx, id, revision) => tx.flows.getRevision(id, revision) }, approvalId, { decision: 'approve' }, decider);
    return { clock, store, dispatcher, decide, deliver: (fps: readonly string[]) => ingestDelivery(ingest, 'infra', delivery(fps)) };
  };

  /** A fresh database with the flow saved (revision 1), and its target. */
  const setup = async (respond?: Parameters<typeof startTarget>[0], shape?: FlowShape) => {
    const database = await fresh();
    await migratePostgres(database.url);
    const target = await startTarget(respond);
    closers.push(() => target.close());
    const flow = flowFor(target, shape);
    const pool = new PostgresPool(database.url);
    closers.push(() => pool.close());
    await pool.transaction(async (client) => {
      const d = drizzle(client, { schema: pgSchema });
      await d.insert(pgSchema.flows).values({ id: 'f', name: flow.name, enabled: true, revision: 1, document: JSON.stringify(flow), createdAt: T0, updatedAt: T0, teamId: 'default' });
      await d.insert(pgSchema.flowRevisions).values({ flowId: 'f', revision: 1, document: JSON.stringify(flow), createdAt: T0, author: null });
    });
    const executions = () => pool.read((client) => drizzle(client, { schema: pgSchema }).select().from(pgSchema.executions));
    const stepsOf = (executionId: string) =>
      pool.read((client) =>
        drizzle(client, { schema: pgSchema })
          .select()
          .from(pgSchema.steps)
          .where(and(eq(pgSchema.steps.executionId, executionId), eq(pgSchema.steps.nodeId, 'call'))),
      );
    const openJobs = () =>
      pool.read(async (client) => (await client.query("select count(*)::int as n from pgboss.job where name = $1 and state in ('created', 'active', 'retry')", [RUN_QUEUE])).rows[0].n as number);
    return { url: database.url, flow, target, executions, stepsOf, openJobs };
  };

  it('two processes share the runs: each runs once, each side effect happens once, no job is left', async () => {
    const { url, flow, target, executions, openJobs } = await setup();
    const a = await openProcess(url, flow);
    const b = await openProcess(url, flow);
    const fps = Array.from({ length: 40 }, (_, i) => `fp${String(i).padStart(2, '0')}`);
    // Half the alerts reach each process (a load balancer); each wakes its own dispatcher.
    for (let i = 0; i < fps.length; i += 4) {
      await (i % 8 === 0 ? a : b).deliver(fps.slice(i, i + 4));
      a.dispatcher.pump();
      b.dispatcher.pump();
    }
    await waitFor(async () => {
      // Jobs one process did not see woken are taken at its next tick.
      await Promise.all([a.dispatcher.tick(), b.dispatcher.tick()]);
      const rows = await executions();
      return rows.length === 40 && rows.every((r) => r.status === 'succeeded');
    });
    await Promise.all([a.dispatcher.idle(), b.dispatcher.idle()]);

    const rows = await executions();
    const owners = new Map<string, number>();
    for (const r of rows) owners.set(r.leaseOwner ?? 'none', (owners.get(r.leaseOwner ?? 'none') ?? 0) + 1);
    // Both processes ran some: the queue is shared, not owned by the process that accepted the delivery.
    expect(new Set(owners.keys())).toEqual(new Set([a.dispatcher.leases.owner, b.dispatcher.leases.owner]));
    // One request per alert, each with its own Idempotency-Key: no run went twice.
    const effects = target.effectsByKey();
    expect(effects.size).toBe(40);
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    expect(target.requests.map((r) => r.url).sort()).toEqual(fps.map((fp) => `/restart/${fp}`));
    // The delivery body was read for the template (`event.receiver`).
    expect(new Set(target.requests.map((r) => r.body))).toEqual(new Set(['"salve"']));
    expect(await openJobs()).toBe(0);
  });

  it('a process that dies mid-step: another adopts its run once the lease ends, re-runs the idempotent step with the same key, and the late record of the first is dropped', async () => {
    let releaseFirst: (() => void) | undefined;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let calls = 0;
    // The first call hangs (its process "dies" while waiting); the next is answered.
    const { url, flow, target, executions, stepsOf } = await setup(async () => {
      calls++;
      if (calls === 1) await firstHeld;
      return { status: 200, body: `{"call":${calls}}` };
    });
    const a = await openProcess(url, flow);
    const b = await openProcess(url, flow);
    await a.deliver(['fp-hang']);
    a.dispatcher.pump();
    await waitFor(() => target.requests.length === 1);
    const [run] = await executions();
    expect(run).toMatchObject({ status: 'running', leaseOwner: a.dispatcher.leases.owner });
    expect((await stepsOf(run!.id)).map((s) => s.status)).toEqual(['intent']);

    // A is gone: it renews nothing. Before its lease ends, B leaves the run alone.
    a.dispatcher.leases.stop();
    b.clock.advance(LEASE_MS - 1000);
    await b.dispatcher.tick();
    expect((await executions())[0]).toMatchObject({ status: 'running', leaseOwner: a.dispatcher.leases.owner });

    // Once it ended, B adopts it: the step in intent goes back to pending (idempotent), the run
    // back to the queue, and B runs it, with the same Idempotency-Key.
    b.clock.advance(2000);
    await waitFor(async () => {
      await b.dispatcher.tick();
      return (await executions())[0]?.status === 'succeeded';
    });
    await b.dispatcher.idle();
    expect((await executions())[0]).toMatchObject({ status: 'succeeded', leaseOwner: b.dispatcher.leases.owner });
    expect(target.requests.map((r) => r.headers['idempotency-key'])).toEqual([`${run!.id}:call`, `${run!.id}:call`]);

    // A's step finally returns: its lease is B's now, so it records nothing.
    releaseFirst!();
    await a.dispatcher.idle();
    const steps = await stepsOf(run!.id);
    expect(steps.map((s) => s.status)).toEqual(['succeeded']);
    expect(JSON.parse(steps[0]!.output!)).toMatchObject({ body: { call: 2 } });
    expect((await executions())[0]).toMatchObject({ status: 'succeeded', leaseOwner: b.dispatcher.leases.owner });
  });

  it('a process that dies while a command runs: the run stops in needs_attention once the lease ends, the command is never run again, and its late record is dropped', async () => {
    const { url, flow, executions, stepsOf } = await setup(undefined, { action: { type: 'action.shell', config: { command: ['sleep', '2'] } } });
    const a = await openProcess(url, flow);
    const b = await openProcess(url, flow);
    await a.deliver(['fp-cmd']);
    a.dispatcher.pump();
    const run = await waitFor(async () => {
      const [row] = await executions();
      return row && (await stepsOf(row.id))[0]?.status === 'intent' ? row : undefined;
    });
    a.dispatcher.leases.stop();
    b.clock.advance(LEASE_MS + 1000);
    await b.dispatcher.tick();
    await b.dispatcher.idle();
    expect((await executions())[0]).toMatchObject({ status: 'needs_attention', error: 'step "call" (action.shell) lost its runner (lease expired); its outcome is unknown' });
    expect((await stepsOf(run.id)).map((s) => s.status)).toEqual(['unknown']);
    // The command ends in A, which no longer holds the lease: nothing it says is recorded.
    await a.dispatcher.idle();
    expect((await stepsOf(run.id)).map((s) => s.status)).toEqual(['unknown']);
    expect((await executions())[0]?.status).toBe('needs_attention');
  });

  it('two people approve at once through two processes with a quorum of 2: both decisions count, the approval is approved once, the action runs once', async () => {
    const { url, flow, target, executions, stepsOf } = await setup(undefined, { approval: { quorum: 2, message: 'Restart?' } });
    const a = await openProcess(url, flow);
    const b = await openProcess(url, flow);
    await a.deliver(['fp-ask']);
    a.dispatcher.pump();
    await a.dispatcher.idle();
    const [run] = await executions();
    expect(run?.status).toBe('waiting');
    const approvalId = await a.store.read(async (tx) => (await tx.approvals.forExecution(run!.id, 10))[0]!.id);

    // Each decision locks the approval: the second waits for the first and counts it.
    const results = await Promise.all([a.decide(approvalId, approver('ana')), b.decide(approvalId, approver('bob'))]);
    expect(results.map((r) => r.status).sort()).toEqual(['approved', 'pending']);
    expect(results.map((r) => r.approvals.count).sort()).toEqual([1, 2]);

    await waitFor(async () => {
      await Promise.all([a.dispatcher.tick(), b.dispatcher.tick()]);
      return (await executions())[0]?.status === 'succeeded';
    });
    await Promise.all([a.dispatcher.idle(), b.dispatcher.idle()]);
    expect(target.requests).toHaveLength(1);
    expect((await stepsOf(run!.id)).map((s) => s.status)).toEqual(['succeeded']);
    const approval = await a.store.read((tx) => tx.approvals.get(approvalId));
    expect(approval).toMatchObject({ status: 'approved' });
    expect((await a.store.read((tx) => tx.approvals.decisionsFor(approvalId))).map((d) => d.decider).sort()).toEqual(['user:ana', 'user:bob']);
  });

  it('the kill switch holds across processes: paused through one, the other starts nothing at its next tick; resumed, it runs the queue', async () => {
    const { url, flow, target, executions } = await setup();
    const a = await openProcess(url, flow);
    const b = await openProcess(url, flow);
    await a.store.write((tx) => tx.settings.set('automation.paused', 'true', T0));
    await b.dispatcher.tick();
    expect(b.dispatcher.isPaused).toBe(true);
    await b.deliver(['fp-paused']);
    b.dispatcher.pump();
    await b.dispatcher.tick();
    await b.dispatcher.idle();
    expect((await executions())[0]?.status).toBe('queued');
    expect(target.requests).toHaveLength(0);

    await a.store.write((tx) => tx.settings.set('automation.paused', 'false', T0 + 1));
    await waitFor(async () => {
      await b.dispatcher.tick();
      return (await executions())[0]?.status === 'succeeded';
    });
    expect(target.requests).toHaveLength(1);
  });

  it('a queued run whose job is gone (pg-boss archived it after its retention) gets a new one at the check a minute later, and runs once', async () => {
    const { url, flow, target, executions, openJobs } = await setup();
    const a = await openProcess(url, flow);
    await a.deliver(['fp-lost']);
    const pool = new PostgresPool(url);
    closers.push(() => pool.close());
    await pool.read((client) => client.query('delete from pgboss.job where name = $1', [RUN_QUEUE]));
    await a.dispatcher.tick(); // the first check: queued for less than a minute, so left alone
    await a.dispatcher.idle();
    expect((await executions())[0]?.status).toBe('queued');
    expect(await openJobs()).toBe(0);

    a.clock.advance(61_000);
    await a.dispatcher.tick();
    await waitFor(async () => {
      await a.dispatcher.idle();
      return (await executions())[0]?.status === 'succeeded';
    });
    expect(target.requests.map((r) => r.url)).toEqual(['/restart/fp-lost']);
    expect(await openJobs()).toBe(0);
    // Ran and done: the next check finds nothing to restore.
    a.clock.advance(61_000);
    await a.dispatcher.tick();
    expect(await openJobs()).toBe(0);
  });
});
