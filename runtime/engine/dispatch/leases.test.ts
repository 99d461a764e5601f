import { sqliteTx } from '../../store/tx.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executionsRepo } from '../../store/executions-repo.js';
import { stepsRepo } from '../../store/steps-repo.js';
import { LEASE_MS } from './leases.js';
import { ManualClock, testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { letTimePass, waitFor } from '../../../test/kit/wait.js';
import { startExecution } from './transitions.js';
import { createScrubber } from '../secrets/scrub.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc, type EdgeDoc, type NodeDoc } from '../../../test/kit/flow.js';

const flowWith = (nodes: NodeDoc[], edges: EdgeDoc[]) => flowDoc({ name: 'lease test', nodes, edges });

type T = ReturnType<typeof testEngine>;
const deliver = (t: T, fp: string) => t.engine.ingest('infra', webhookDelivery(amBody(fp)));
const statusOf = (t: T, id: string) => executionsRepo.get(t.store.db, id)?.status;
const stepOf = (t: T, id: string, nodeId: string) => stepsRepo.forExecution(t.store.db, id).find((s) => s.nodeId === nodeId);

describe('execution leases', () => {
  const dirs: string[] = [];
  const engines: T[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0)) {
      await t.engine.shutdown(2000);
      t.store.close();
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async (clock = new ManualClock()) => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-leases-'));
    dirs.push(dir);
    const t = testEngine({ file: join(dir, 'salve.db'), clock });
    engines.push(t);
    await t.engine.start();
    return t;
  };

  /**
   * Leaves execution `id` as a runner of another process that died would: running, leased to
   * that owner until `leaseUntil`, its first steps in intent.
   */
  const orphan = (t: T, id: string, leaseUntil: number) =>
    t.store.write(async (db) => {
      const now = t.clock.now();
      executionsRepo.transition(db, id, ['queued'], { status: 'running', startedAt: now, updatedAt: now, leaseOwner: 'gone-host:4242:deadbeef', leaseUntil });
      await startExecution(sqliteTx(db), (await t.engine.flowAt('f1', 1))!, executionsRepo.get(db, id)!, now, createScrubber([]));
      for (const s of stepsRepo.forExecution(db, id)) if (s.status === 'pending') stepsRepo.transition(db, s.id, ['pending'], { status: 'intent', attempt: 1 });
    });

  it('keeps a step whose outcome cannot be written while another process locks the database, and records it once the lock is gone', async () => {
    const t = await start();
    await t.engine.flows.create(flowWith([{ id: 'sh', type: 'action.shell', config: { command: ['sleep', '0.2'] } }], [{ source: 'am', target: 'sh' }]), { name: 'test', via: 'token' });
    const id = (await deliver(t, 'locked')).executions[0]!.id;
    await waitFor(() => stepOf(t, id, 'sh')?.status === 'intent');

    const other = new Database(t.store.file);
    other.pragma('busy_timeout = 5000');
    other.exec('BEGIN EXCLUSIVE');
    await letTimePass(2500, 'longer than the old 2 s busy_timeout, after which the runner gave up and the run stuck');
    expect(statusOf(t, id)).toBe('running');
    expect(stepOf(t, id, 'sh')!.status).toBe('intent');
    // Its lease lapsed meanwhile (no renewal could commit), but its runner is alive: not adopted.
    t.clock.advance(2 * LEASE_MS);
    await Promise.race([t.engine.dispatcher.tick(), letTimePass(200, 'the tick cannot finish while the lock is held: give its sweep time to decide, then release the lock')]);
    other.exec('COMMIT');
    other.close();

    await waitFor(() => statusOf(t, id) === 'succeeded', 10_000);
    const sh = stepOf(t, id, 'sh')!;
    expect(sh.status).toBe('succeeded');
    expect(sh.attempt).toBe(1); // ran once, recorded once
  });

  it('adopts a running execution whose lease ended, without a restart: an idempotent step runs again', async () => {
    const t = await start();
    await t.engine.flows.create(flowWith([{ id: 'wait', type: 'action.delay', config: { seconds: 5 } }], [{ source: 'am', target: 'wait' }]), { name: 'test', via: 'token' });
    await t.engine.setPaused(true, { name: 'test', via: 'token' });
    const id = (await deliver(t, 'orphan-1')).executions[0]!.id;
    await orphan(t, id, t.clock.now() + LEASE_MS);
    await t.engine.setPaused(false, { name: 'test', via: 'token' });

    // While the lease holds, its owner may still be working on it.
    await t.engine.dispatcher.tick();
    expect(statusOf(t, id)).toBe('running');
    expect(stepOf(t, id, 'wait')!.status).toBe('intent');

    t.clock.advance(LEASE_MS + 1);
    await t.engine.dispatcher.tick();
    await waitFor(() => statusOf(t, id) === 'waiting');
    expect(stepOf(t, id, 'wait')!.attempt).toBe(2);
    expect(executionsRepo.get(t.store.db, id)!.leaseOwner).toBe(t.engine.dispatcher.leases.owner);
    t.clock.advance(6_000);
    await t.engine.dispatcher.tick();
    // A delay acts on nothing outside: the run ends without an action.
    await waitFor(() => statusOf(t, id) === 'no_action');
  });

  it('adopts a running execution whose lease ended: a non-idempotent step becomes unknown and the run needs attention', async () => {
    const t = await start();
    await t.engine.flows.create(flowWith([{ id: 'sh', type: 'action.shell', config: { command: ['true'] } }], [{ source: 'am', target: 'sh' }]), { name: 'test', via: 'token' });
    await t.engine.setPaused(true, { name: 'test', via: 'token' });
    const id = (await deliver(t, 'orphan-2')).executions[0]!.id;
    await orphan(t, id, t.clock.now() - 1);
    await t.engine.setPaused(false, { name: 'test', via: 'token' });

    await t.engine.dispatcher.tick();
    expect(statusOf(t, id)).toBe('needs_attention');
    const sh = stepOf(t, id, 'sh')!;
    expect(sh.status).toBe('unknown');
    expect(sh.error).toMatch(/stopped before recording its outcome/);
    expect(executionsRepo.get(t.store.db, id)!.error).toMatch(/lost its runner/);
  });

  it('stops a runner whose execution another owner took over: it neither records nor goes on', async () => {
    const t = await start();
    await t.engine.flows.create(
      flowWith(
        [
          { id: 'sh', type: 'action.shell', config: { command: ['sleep', '0.3'] } },
          { id: 'after', type: 'action.shell', config: { command: ['true'] } },
        ],
        [
          { source: 'am', target: 'sh' },
          { source: 'sh', sourcePort: 'ok', target: 'after' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await deliver(t, 'fenced')).executions[0]!.id;
    await waitFor(() => stepOf(t, id, 'sh')?.status === 'intent');
    t.store.writeNow((db) => executionsRepo.transition(db, id, ['running'], { updatedAt: t.clock.now(), leaseOwner: 'other-host:1:cafebabe' }));
    await waitFor(() => t.engine.dispatcher.activeCount === 0, 10_000);
    expect(stepOf(t, id, 'sh')!.status).toBe('intent');
    expect(stepOf(t, id, 'after')).toBeUndefined();
    expect(statusOf(t, id)).toBe('running');
  });

  it('runs again an idempotent step a shutdown interrupted (its execution was put back in the queue)', async () => {
    const clock = new ManualClock();
    const first = await start(clock);
    await first.engine.flows.create(flowWith([{ id: 'wait', type: 'action.delay', config: { seconds: 5 } }], [{ source: 'am', target: 'wait' }]), { name: 'test', via: 'token' });
    await first.engine.setPaused(true, { name: 'test', via: 'token' });
    const id = (await deliver(first, 'checkpointed')).executions[0]!.id;
    // As a shutdown past its grace leaves it: the step aborted in intent, the run checkpointed to the queue.
    await orphan(first, id, clock.now() + LEASE_MS);
    first.store.writeNow((db) => executionsRepo.transition(db, id, ['running'], { status: 'queued', updatedAt: clock.now() }));
    await first.engine.shutdown(0);
    await first.engine.setPaused(false, { name: 'test', via: 'token' }); // stored for the next start; nothing is claimed while shutting down
    first.store.close();
    engines.splice(engines.indexOf(first), 1);

    const second = testEngine({ file: first.store.file, clock });
    engines.push(second);
    expect(await second.engine.start()).toMatchObject({ recoveredSteps: 1, needsAttention: 0 });
    await waitFor(() => statusOf(second, id) === 'waiting');
    expect(stepOf(second, id, 'wait')!.attempt).toBe(2);
  });
});
