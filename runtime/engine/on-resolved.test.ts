import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalsRepo } from '../store/approvals-repo.js';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { auditRepo } from '../store/audit-repo.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { adminDecider } from '../../test/kit/store-people.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { amSource, flowDoc, type NodeDoc } from '../../test/kit/flow.js';
import { formatIssues, type ValidationError } from '../../shared/errors.js';

/**
 * A node's onResolved: when the alert that started a run resolves while one of its steps waits
 * (approval, delay, retry, poll), `cancel` ends the run with the reason recorded; `continue` goes on.
 */

type Store = ReturnType<typeof testEngine>['store'];
const statusOf = (store: Store, id: string) => executionsRepo.get(store.db, id)?.status;
const stepOf = (store: Store, id: string, nodeId: string) => stepsRepo.forExecution(store.db, id).findLast((s) => s.nodeId === nodeId);
const approvalOf = (store: Store, id: string) => approvalsRepo.list(store.db, { limit: 50 }).find((a) => a.executionId === id);

/** Alertmanager (firing) → `wait` → a delay after it, to see whether the run went on. */
function flowWith(wait: NodeDoc, port = 'approved') {
  return flowDoc({
    source: amSource({ on: 'firing' }),
    nodes: [wait, { id: 'after', type: 'action.delay', config: { seconds: 1 } }],
    edges: [
      { source: 'am', target: wait.id },
      { source: wait.id, sourcePort: port, target: 'after' },
    ],
  });
}
const ask = (extra: Partial<NodeDoc> = {}): NodeDoc => ({ id: 'ask', type: 'approval.request', config: { message: 'Restart it?', timeoutSeconds: 3600 }, ...extra });
const resolved = (fp: string, at: number) => webhookDelivery(amBody(fp, { status: 'resolved', endsAt: new Date(at).toISOString() }));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('onResolved', () => {
  it('cancels a run waiting for approval when its alert resolves (the default for approvals); the approval closes', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(flowWith(ask()), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    expect(approvalOf(store, id)?.status).toBe('pending');

    // Another alert's resolution changes nothing.
    await engine.ingest('infra', resolved('fp-other', clock.now()));
    await engine.dispatcher.tick();
    expect(statusOf(store, id)).toBe('waiting');

    clock.advance(60_000);
    await engine.ingest('infra', resolved('fp-disk', clock.now()));
    // Marked at once, applied by the next tick.
    expect(statusOf(store, id)).toBe('waiting');
    await engine.dispatcher.tick();
    expect(executionsRepo.get(store.db, id)).toMatchObject({
      status: 'cancelled',
      error: 'the alert resolved while waiting for approval at node "ask" (onResolved: cancel)',
    });
    expect(stepOf(store, id, 'ask')?.status).toBe('cancelled');
    expect(stepOf(store, id, 'after')).toBeUndefined();
    expect(approvalOf(store, id)?.status).toBe('cancelled');
    expect(approvalsRepo.list(store.db, { status: 'pending', limit: 5 })).toEqual([]);
    const audit = auditRepo.list(store.db, { limit: 10 }).find((a) => a.action === 'execution.cancel');
    expect(audit).toMatchObject({ actor: 'salve', target: id });
    // A decision now is refused: the approval is closed.
    await expect(engine.decide(approvalOf(store, id)!.id, { decision: 'approve' }, adminDecider())).rejects.toMatchObject({ code: 'conflict' });
    await engine.shutdown(0);
    store.close();
  });

  it('with onResolved: continue the approval stays pending and can be approved', async () => {
    const { engine, store, clock } = testEngine();
    await engine.start();
    await engine.flows.create(flowWith(ask({ onResolved: 'continue' })), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    await engine.ingest('infra', resolved('fp-disk', clock.now()));
    await engine.dispatcher.tick();
    await engine.dispatcher.tick();
    expect(executionsRepo.get(store.db, id)).toMatchObject({ status: 'waiting', alertResolvedAt: clock.now() });
    expect(approvalOf(store, id)?.status).toBe('pending');
    await engine.decide(approvalOf(store, id)!.id, { decision: 'approve' }, adminDecider());
    await waitFor(() => stepOf(store, id, 'after')?.status === 'waiting');
    expect(stepOf(store, id, 'ask')).toMatchObject({ status: 'succeeded', port: 'approved' });
    await engine.shutdown(0);
    store.close();
  });

  it('a delay continues by default, and is cancelled with onResolved: cancel', async () => {
    for (const policy of ['continue', 'cancel'] as const) {
      const { engine, store, clock } = testEngine();
      await engine.start();
      const wait: NodeDoc = { id: 'pause', type: 'action.delay', config: { seconds: 300 }, ...(policy === 'cancel' ? { onResolved: 'cancel' as const } : {}) };
      await engine.flows.create(flowWith(wait, 'done'), { name: 'test', via: 'token' });
      const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
      await waitFor(() => statusOf(store, id) === 'waiting');
      await engine.ingest('infra', resolved('fp-disk', clock.now()));
      await engine.dispatcher.tick();
      if (policy === 'cancel') {
        expect(executionsRepo.get(store.db, id)).toMatchObject({
          status: 'cancelled',
          error: 'the alert resolved while waiting for a delay to end at node "pause" (onResolved: cancel)',
        });
        expect(stepOf(store, id, 'pause')?.status).toBe('cancelled');
      } else {
        expect(statusOf(store, id)).toBe('waiting');
        clock.advance(300_000);
        await engine.dispatcher.tick();
        await waitFor(() => stepOf(store, id, 'after')?.status === 'waiting');
      }
      await engine.shutdown(0);
      store.close();
    }
  });

  it('an action waiting to retry continues by default, and is cancelled with onResolved: cancel', async () => {
    for (const policy of ['continue', 'cancel'] as const) {
      const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
      await engine.start();
      // Nothing listens on port 9: every try fails, and the next one waits 60 s.
      const call: NodeDoc = {
        id: 'call',
        type: 'action.http',
        config: { url: 'http://127.0.0.1:9/restart', timeoutSeconds: 2 },
        retry: { attempts: 3, initialDelay: 60, jitter: 0 },
        ...(policy === 'cancel' ? { onResolved: 'cancel' as const } : {}),
      };
      await engine.flows.create(flowWith(call, 'ok'), { name: 'test', via: 'token' });
      const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
      await waitFor(() => statusOf(store, id) === 'waiting' && stepOf(store, id, 'call')?.waitReason === 'retry');
      await engine.ingest('infra', resolved('fp-disk', clock.now()));
      await engine.dispatcher.tick();
      if (policy === 'cancel') {
        expect(executionsRepo.get(store.db, id)).toMatchObject({
          status: 'cancelled',
          error: 'the alert resolved while waiting to retry after a failure at node "call" (onResolved: cancel)',
        });
      } else {
        expect(stepOf(store, id, 'call')).toMatchObject({ status: 'waiting', waitReason: 'retry' });
      }
      await engine.shutdown(0);
      store.close();
    }
  });

  it('cancels at once when the alert had resolved before the approval began', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    const flow = flowDoc({
      source: amSource({ on: 'firing' }),
      nodes: [{ id: 'pause', type: 'action.delay', config: { seconds: 60 } }, ask()],
      edges: [
        { source: 'am', target: 'pause' },
        { source: 'pause', target: 'ask' },
      ],
    });
    await engine.flows.create(flow, { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    await engine.ingest('infra', resolved('fp-disk', Date.parse('2026-11-24T00:00:00Z')));
    await engine.dispatcher.tick(); // the delay continues (its default)
    expect(statusOf(store, id)).toBe('waiting');
    store.writeNow((db) => stepsRepo.wakeWaiting(db, [id], 'delay', 0)); // end the delay now
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'cancelled');
    expect(executionsRepo.get(store.db, id)?.error).toBe('the alert resolved before the step began waiting for approval at node "ask" (onResolved: cancel)');
    expect(approvalOf(store, id)?.status).toBe('cancelled');
    await engine.shutdown(0);
    store.close();
  });

  it('a run a resolved notification started is not cancelled by its own resolution', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    await engine.flows.create(flowDoc({ source: amSource({ on: 'resolved' }), nodes: [ask()], edges: [{ source: 'am', target: 'ask' }] }), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', resolved('fp-disk', Date.parse('2026-11-24T00:00:00Z')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    await engine.dispatcher.tick();
    expect(statusOf(store, id)).toBe('waiting');
    expect(approvalOf(store, id)?.status).toBe('pending');
    await engine.shutdown(0);
    store.close();
  });

  it('cancels after a restart between the resolution and the next tick', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-resolved-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock });
    await first.engine.start();
    await first.engine.flows.create(flowWith(ask()), { name: 'test', via: 'token' });
    const id = (await first.engine.ingest('infra', webhookDelivery(amBody('fp-disk')))).executions[0]!.id;
    await waitFor(() => statusOf(first.store, id) === 'waiting');
    await first.engine.ingest('infra', resolved('fp-disk', clock.now()));
    first.store.close(); // killed before its tick: only the mark is committed

    const second = testEngine({ file, clock });
    await second.engine.start();
    await second.engine.dispatcher.tick();
    expect(executionsRepo.get(second.store.db, id)).toMatchObject({ status: 'cancelled', error: expect.stringContaining('while waiting for approval') });
    expect(approvalOf(second.store, id)?.status).toBe('cancelled');
    await second.engine.shutdown(0);
    second.store.close();
  });

  it('is refused at save on nodes that never wait, naming the field', async () => {
    const { engine, store } = testEngine();
    const refusal = (node: NodeDoc) =>
      engine.flows.create(flowWith(node, node.type === 'condition.expr' ? 'true' : 'out'), { name: 'test', via: 'token' }).then(
        () => undefined,
        (error: ValidationError) => formatIssues(error.issues),
      );
    expect(await refusal({ id: 'check', type: 'condition.expr', config: { expression: 'true' }, onResolved: 'cancel' })).toMatch(
      /^nodes\[1\]\.onResolved: node "check": condition\.expr never waits, so onResolved does not apply/,
    );
    const bad = await refusal({ ...ask(), onResolved: 'later' as 'cancel' });
    expect(bad).toContain('nodes[1].onResolved: must be "cancel" or "continue"');
    store.close();
  });
});
