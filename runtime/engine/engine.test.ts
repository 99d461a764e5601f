import { sqliteTx } from '../store/tx.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { approvalsRepo } from '../store/approvals-repo.js';
import { eventsRepo } from '../store/events-repo.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { startExecution } from './dispatch/transitions.js';
import { createScrubber } from './secrets/scrub.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { flowDoc, type EdgeDoc, type NodeDoc } from '../../test/kit/flow.js';
import { adminDecider } from '../../test/kit/store-people.js';

/** The test flow: the Alertmanager source `am` on `/hooks/infra`, then `nodes`. */
const flowWith = (nodes: NodeDoc[], edges: EdgeDoc[]) => flowDoc({ name: 'test flow', nodes, edges });

const deliver = (engine: ReturnType<typeof testEngine>['engine'], body: unknown) => engine.ingest('infra', webhookDelivery(body));

const stepsOf = (store: ReturnType<typeof testEngine>['store'], id: string) => stepsRepo.forExecution(store.db, id);
const statusOf = (store: ReturnType<typeof testEngine>['store'], id: string) => executionsRepo.get(store.db, id)?.status;

/**
 * Leaves an execution as a kill -9 in the middle of its first steps would: running, with every
 * step after the source in `intent`. Returns the database file to start a new engine on.
 */
async function leaveInterrupted(dirs: string[], clock: ManualClock, nodes: NodeDoc[], edges: EdgeDoc[]) {
  const dir = mkdtempSync(join(tmpdir(), 'salve-engine-'));
  dirs.push(dir);
  const file = join(dir, 'salve.db');
  const first = testEngine({ file, clock });
  await first.engine.start();
  await first.engine.flows.create(flowWith(nodes, edges), { name: 'test', via: 'token' });
  void first.engine.dispatcher.drain(0); // accept, but never run
  const id = (await deliver(first.engine, amBody('fp1'))).executions[0]!.id;
  await first.store.write(async (db) => {
    executionsRepo.transition(db, id, ['queued'], { status: 'running', startedAt: clock.now(), updatedAt: clock.now() });
    await startExecution(sqliteTx(db), (await first.engine.flowAt('f1', 1))!, executionsRepo.get(db, id)!, clock.now(), createScrubber([]));
    for (const s of stepsRepo.forExecution(db, id)) {
      if (s.status === 'pending') stepsRepo.transition(db, s.id, ['pending'], { status: 'intent', attempt: 1 });
    }
  });
  first.store.close();
  return { file, id };
}

describe('engine', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('times an approval out after timeoutSeconds and follows the timeout port', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(
      flowWith(
        [
          { id: 'ask', type: 'approval.request', config: { message: 'ok?', timeoutSeconds: 60 } },
          { id: 'late', type: 'action.delay', config: { seconds: 1 } },
        ],
        [
          { source: 'am', target: 'ask' },
          { source: 'ask', sourcePort: 'timeout', target: 'late' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const { executions } = await deliver(engine, amBody('fp1'));
    const id = executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(59_000);
    await engine.dispatcher.tick();
    expect(statusOf(store, id)).toBe('waiting');
    clock.advance(2_000);
    await engine.dispatcher.tick();
    await waitFor(() => stepsOf(store, id).find((s) => s.nodeId === 'ask')?.port === 'timeout');
    const approval = approvalsRepo.list(store.db, { executionId: id, limit: 5 })[0]!;
    expect(approval.status).toBe('timeout');
    // Salve decided it: audited as such, in the chain like any other row.
    expect(store.sqlite.prepare("SELECT actor, via, target, before, after FROM audit WHERE action = 'approval.timeout'").all()).toEqual([
      { actor: 'salve', via: 'system', target: approval.id, before: '{"status":"pending"}', after: '{"status":"timeout"}' },
    ]);
    // The delay after it is durable too: it waits for its own wake time.
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(1_500);
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'succeeded');
  });

  it('does not count approval waits against the execution deadline, but counts delays', async () => {
    const { engine, store, clock } = testEngine({ deadlineMs: 10_000 });
    await engine.start();
    await engine.flows.create(
      flowWith(
        [
          { id: 'ask', type: 'approval.request', config: { message: 'ok?', timeoutSeconds: 3600 } },
          { id: 'wait', type: 'action.delay', config: { seconds: 60 } },
        ],
        [
          { source: 'am', target: 'ask' },
          { source: 'ask', sourcePort: 'approved', target: 'wait' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await deliver(engine, amBody('fp1'))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(600_000); // ten minutes of waiting for a person
    await engine.dispatcher.tick();
    expect(statusOf(store, id)).toBe('waiting');
    const approval = approvalsRepo.list(store.db, { status: 'pending', limit: 5 })[0]!;
    await engine.decide(approval.id, { decision: 'approve' }, adminDecider());
    await waitFor(() => stepsOf(store, id).some((s) => s.nodeId === 'wait' && s.status === 'waiting'));
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(61_000); // the delay itself outlives the 10 s deadline
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'timed_out');
    expect(executionsRepo.get(store.db, id)!.error).toContain('deadline');
  });

  it('cancels a waiting execution and its approval; a second cancel is a conflict', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    await engine.flows.create(
      flowWith([{ id: 'ask', type: 'approval.request', config: { message: 'ok?', timeoutSeconds: 600 } }], [{ source: 'am', target: 'ask' }]),
      { name: 'test', via: 'token' },
    );
    const id = (await deliver(engine, amBody('fp1'))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    await engine.cancel(id, { name: 'bob', via: 'token' });
    expect(statusOf(store, id)).toBe('cancelled');
    expect(approvalsRepo.list(store.db, { executionId: id, limit: 5 })[0]!.status).toBe('cancelled');
    await expect(engine.cancel(id, { name: 'bob', via: 'token' })).rejects.toMatchObject({ code: 'conflict' });
    const approval = approvalsRepo.list(store.db, { executionId: id, limit: 5 })[0]!;
    await expect(engine.decide(approval.id, { decision: 'approve' }, adminDecider())).rejects.toMatchObject({ code: 'conflict' });
  });

  it('ends a run whose condition led nowhere as no_action, keeping its steps, and a run that acted as succeeded', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    await engine.flows.create(
      flowWith(
        [
          { id: 'only_warnings', type: 'condition.match', config: { matchers: 'severity="warning"' } },
          { id: 'fix', type: 'action.shell', config: { command: ['true'] } },
        ],
        [
          { source: 'am', target: 'only_warnings' },
          { source: 'only_warnings', sourcePort: 'match', target: 'fix' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    // The alert is critical: the condition takes `nomatch`, which leads nowhere.
    const id = (await deliver(engine, amBody('no-action-1'))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'no_action');
    expect(executionsRepo.get(store.db, id)).toMatchObject({ error: null, finishedAt: expect.any(Number) });
    // The audit trail stays: the source and the condition that stopped the run, with its port.
    expect(stepsOf(store, id).map((s) => [s.nodeId, s.status, s.port])).toEqual([
      ['am', 'succeeded', 'out'],
      ['only_warnings', 'succeeded', 'nomatch'],
    ]);

    await engine.flows.update(
      'f1',
      flowWith([{ id: 'fix', type: 'action.shell', config: { command: ['true'] } }], [{ source: 'am', target: 'fix' }]),
      1,
      { name: 'test', via: 'token' },
    );
    const acted = (await deliver(engine, amBody('no-action-2'))).executions[0]!.id;
    await waitFor(() => statusOf(store, acted) === 'succeeded');
  });

  it('does not start a firing-only flow for a resolved alert, but records the event', async () => {
    const { engine } = testEngine();
    await engine.start();
    await engine.flows.create(flowWith([], []), { name: 'test', via: 'token' });
    const result = await deliver(engine, amBody('fp9', { status: 'resolved' }));
    expect(result.executions).toEqual([]);
    expect(result.alerts).toBe(1);
    expect(result.eventId).toMatch(/^ev_/);
  });

  it('after a crash, marks an interrupted shell step unknown and re-runs nothing of its execution', async () => {
    const clock = new ManualClock();
    const { file, id } = await leaveInterrupted(
      dirs,
      clock,
      [
        { id: 'wait', type: 'action.delay', config: { seconds: 5 } },
        { id: 'sh', type: 'action.shell', config: { command: ['true'] } },
      ],
      [
        { source: 'am', target: 'wait' },
        { source: 'am', target: 'sh' },
      ],
    );

    const second = testEngine({ file, clock });
    const report = await second.engine.start();
    // The shell step's outcome is unknown: the execution stops and nothing of it re-runs.
    expect(report).toMatchObject({ recoveredSteps: 0, needsAttention: 1 });
    const steps = stepsOf(second.store, id);
    expect(steps.find((s) => s.nodeId === 'sh')!.status).toBe('unknown');
    expect(steps.find((s) => s.nodeId === 'wait')!.status).toBe('cancelled');
    expect(statusOf(second.store, id)).toBe('needs_attention');
    second.store.close();
  });

  it('after a crash, marks an interrupted SSH step unknown, like a shell step: it may have run', async () => {
    const clock = new ManualClock();
    const ssh = {
      host: 'db1.example.internal',
      user: 'salve',
      auth: { type: 'key', privateKey: { secret: 'SSH_KEY' } },
      hostKey: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
      command: ['find', '/var/tmp', '-mtime', '+7', '-delete'],
    };
    const { file, id } = await leaveInterrupted(dirs, clock, [{ id: 'clean', type: 'action.ssh', config: ssh }], [{ source: 'am', target: 'clean' }]);

    const second = testEngine({ file, clock });
    expect(await second.engine.start()).toMatchObject({ recoveredSteps: 0, needsAttention: 1 });
    expect(stepsOf(second.store, id).find((s) => s.nodeId === 'clean')!.status).toBe('unknown');
    expect(statusOf(second.store, id)).toBe('needs_attention');
    second.store.close();
  });

  it('after a crash, re-runs an interrupted idempotent step to the end', async () => {
    const clock = new ManualClock();
    const { file, id } = await leaveInterrupted(dirs, clock, [{ id: 'wait', type: 'action.delay', config: { seconds: 5 } }], [{ source: 'am', target: 'wait' }]);

    const second = testEngine({ file, clock });
    expect(await second.engine.start()).toMatchObject({ recoveredSteps: 1, needsAttention: 0, requeued: 1 });
    await waitFor(() => statusOf(second.store, id) === 'waiting');
    const wait = stepsOf(second.store, id).find((s) => s.nodeId === 'wait')!;
    expect(wait.attempt).toBe(2);
    clock.advance(6_000);
    await second.engine.dispatcher.tick();
    // A delay changes nothing in the world: the run ends without an action.
    await waitFor(() => statusOf(second.store, id) === 'no_action');
    second.store.close();
  });

  it('idle() resolves once what it started has settled: runs, refused deliveries, writes', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    await engine.flows.create(flowWith([{ id: 'slow', type: 'action.shell', config: { command: ['sleep', '0.3'] } }], [{ source: 'am', target: 'slow' }]), { name: 'test', via: 'token' });
    const id = (await deliver(engine, amBody('idle-1'))).executions[0]!.id;
    await expect(engine.ingest('infra', webhookDelivery('x', { 'content-type': 'text/plain' }))).rejects.toMatchObject({ code: 'unsupported_media_type' });
    await engine.idle();
    expect(statusOf(store, id)).toBe('succeeded');
    expect(eventsRepo.list(store.db, { limit: 10 }).map((e) => e.outcome).sort()).toEqual(['accepted', 'invalid']);
  });

  it('pause stops dispatch (deliveries still accepted), survives a restart, and resume runs the queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-engine-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const first = testEngine({ file });
    await first.engine.start();
    await first.engine.flows.create(
      flowWith([{ id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } }], [{ source: 'am', target: 'check' }]),
      { name: 'test', via: 'token' },
    );
    await first.engine.setPaused(true, { name: 'alice', via: 'token' });
    const id = (await deliver(first.engine, amBody('paused-1'))).executions[0]!.id;
    await first.engine.idle();
    expect(statusOf(first.store, id)).toBe('queued');
    first.store.close();

    const second = testEngine({ file });
    await second.engine.start();
    expect(second.engine.isPaused).toBe(true);
    await second.engine.idle();
    expect(statusOf(second.store, id)).toBe('queued');
    await second.engine.setPaused(false, { name: 'alice', via: 'token' });
    await waitFor(() => statusOf(second.store, id) === 'no_action');
    const actions = second.store.sqlite.prepare('SELECT action, actor FROM audit ORDER BY id').all();
    expect(actions).toEqual(expect.arrayContaining([
      { action: 'automation.pause', actor: 'alice' },
      { action: 'automation.resume', actor: 'alice' },
    ]));
    second.store.close();
  });

  it('times out an execution whose running step outlives the deadline', async () => {
    const { engine, store, clock } = testEngine({ deadlineMs: 1_000 });
    await engine.start();
    await engine.flows.create(
      flowWith([{ id: 'slow', type: 'action.shell', config: { command: ['sleep', '30'] } }], [{ source: 'am', target: 'slow' }]),
      { name: 'test', via: 'token' },
    );
    const id = (await deliver(engine, amBody('deadline-1'))).executions[0]!.id;
    await waitFor(() => stepsOf(store, id).some((s) => s.nodeId === 'slow' && s.status === 'intent'));
    clock.advance(2_000);
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'timed_out', 10_000);
    const slow = stepsOf(store, id).find((s) => s.nodeId === 'slow')!;
    expect(slow.status).toBe('failed');
    expect(slow.error).toMatch(/stopped|cancelled|aborted/i);
  });
});
