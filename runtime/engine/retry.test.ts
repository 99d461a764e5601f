import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { startTarget, type Target } from '../../test/kit/target.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { flowDoc, type NodeDoc } from '../../test/kit/flow.js';
import { formatIssues, type ValidationError } from '../../shared/errors.js';

/**
 * Retries and polling inside the engine: each try is its own step row, the wait between tries
 * is a `waiting` row the dispatcher's tick wakes (no worker held), and a restart in the middle
 * of a wait carries on where it stopped.
 */

const dirs: string[] = [];
const targets: Target[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A target that answers 503 to its first `failures` requests, then 200. */
async function flakyTarget(failures: number) {
  let seen = 0;
  const target = await startTarget(() => (++seen <= failures ? { status: 503, body: '{"error":"busy"}' } : { status: 200, body: '{"status":"ok"}' }));
  targets.push(target);
  return target;
}

const flowOf = (node: NodeDoc) => flowDoc({ nodes: [node], edges: [{ source: 'am', target: node.id }] });
const stepsOf = (store: ReturnType<typeof testEngine>['store'], id: string) => stepsRepo.forExecution(store.db, id).filter((s) => s.nodeId !== 'am');
const statusOf = (store: ReturnType<typeof testEngine>['store'], id: string) => executionsRepo.get(store.db, id)?.status;

describe('retries', () => {
  it('retries a failed request after its backoff, with the same idempotency key, and records every try', async () => {
    const target = await flakyTarget(2);
    const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      flowOf({ id: 'clean', type: 'action.http', config: { url: `${target.url}/cleanup` }, retry: { attempts: 3, initialDelay: 5, maxDelay: 60, jitter: 0 } }),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    const afterFirst = stepsOf(store, id);
    expect(afterFirst.map((s) => [s.status, s.attempt, s.waitReason])).toEqual([
      ['retried', 1, null],
      ['waiting', 1, 'retry'],
    ]);
    expect(afterFirst[0]!.error).toMatch(/503/);
    expect(afterFirst[1]!.wakeAt).toBe(clock.now() + 5_000);

    // Nothing happens before the backoff is over.
    clock.advance(4_000);
    await engine.dispatcher.tick();
    expect(target.requests).toHaveLength(1);

    clock.advance(1_000);
    await engine.dispatcher.tick();
    await waitFor(() => stepsOf(store, id).length === 3 && statusOf(store, id) === 'waiting');
    expect(stepsOf(store, id)[2]!.wakeAt).toBe(clock.now() + 10_000); // exponential: 5 s, then 10 s

    clock.advance(10_000);
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'succeeded');
    expect(stepsOf(store, id).map((s) => [s.status, s.attempt])).toEqual([
      ['retried', 1],
      ['retried', 2],
      ['succeeded', 3],
    ]);
    expect([...target.effectsByKey().entries()]).toEqual([[`${id}:clean`, 3]]);
    await engine.shutdown(0);
    store.close();
  });

  it('ends the run failed with the last try\'s error when every try failed', async () => {
    const target = await flakyTarget(10);
    const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(flowOf({ id: 'clean', type: 'action.http', config: { url: `${target.url}/x` }, retry: { attempts: 2, initialDelay: 1, jitter: 0 } }), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(1_000);
    await engine.dispatcher.tick();
    await waitFor(() => statusOf(store, id) === 'failed');
    expect(stepsOf(store, id).map((s) => s.status)).toEqual(['retried', 'failed']);
    expect(executionsRepo.get(store.db, id)?.error).toMatch(/^step "clean" failed: .*503/);
    expect(target.requests).toHaveLength(2);
    await engine.shutdown(0);
    store.close();
  });

  it('refuses to save a retry on a command unless the flow says running it twice is safe', async () => {
    const { engine, store } = testEngine();
    const shell = { id: 'restart', type: 'action.shell', config: { command: ['true'] }, retry: { attempts: 3 } };
    const refused = await engine.flows.create(flowOf(shell), { name: 'test', via: 'token' }).then(
      () => undefined,
      (error: ValidationError) => formatIssues(error.issues),
    );
    expect(refused).toMatch(/^nodes\[1\]\.retryUnsafe: node "restart": action\.shell is not idempotent, so a retry after a failure may do its work twice/);
    await engine.flows.create(flowOf({ ...shell, retryUnsafe: true }), { name: 'test', via: 'token' });
    store.close();
  });

  it('carries on after a restart in the middle of a backoff', async () => {
    const target = await flakyTarget(1);
    const dir = mkdtempSync(join(tmpdir(), 'salve-retry-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await first.engine.start();
    await first.engine.flows.create(flowOf({ id: 'clean', type: 'action.http', config: { url: `${target.url}/x` }, retry: { attempts: 3, initialDelay: 30, jitter: 0 } }), { name: 'test', via: 'token' });
    const id = (await first.engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => statusOf(first.store, id) === 'waiting');
    first.store.close(); // as a kill would leave it: everything up to the wait is committed

    const second = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await second.engine.start();
    await second.engine.dispatcher.tick();
    expect(statusOf(second.store, id)).toBe('waiting');
    expect(target.requests).toHaveLength(1);
    clock.advance(30_000);
    await second.engine.dispatcher.tick();
    await waitFor(() => statusOf(second.store, id) === 'succeeded');
    expect(target.requests).toHaveLength(2);
    await second.engine.shutdown(0);
    second.store.close();
  });
});

describe('polling checks', () => {
  it('probes every `every` seconds until the check passes', async () => {
    const target = await flakyTarget(2);
    const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(flowOf({ id: 'verify', type: 'check.http', config: { url: `${target.url}/health`, every: 15, within: 60 } }), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    for (let probe = 1; probe <= 2; probe++) {
      await waitFor(() => statusOf(store, id) === 'waiting' && stepsOf(store, id).length === probe + 1);
      const wait = stepsOf(store, id).at(-1)!;
      expect([wait.status, wait.waitReason, wait.wakeAt]).toEqual(['waiting', 'poll', clock.now() + 15_000]);
      clock.advance(15_000);
      await engine.dispatcher.tick();
    }
    await waitFor(() => statusOf(store, id) === 'succeeded');
    expect(stepsOf(store, id).map((s) => [s.status, s.port])).toEqual([
      ['retried', 'fail'],
      ['retried', 'fail'],
      ['succeeded', 'pass'],
    ]);
    await engine.shutdown(0);
    store.close();
  });

  it('takes "fail" with the last answer once `within` has passed', async () => {
    const target = await flakyTarget(100);
    const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(flowOf({ id: 'verify', type: 'check.http', config: { url: `${target.url}/health`, every: 20, within: 30 } }), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => statusOf(store, id) === 'waiting');
    clock.advance(20_000);
    await engine.dispatcher.tick();
    // The second probe came at 20 s; a third at 40 s would be past `within` (30 s): this one decides.
    await waitFor(() => !['queued', 'running', 'waiting'].includes(statusOf(store, id) ?? ''));
    expect(stepsOf(store, id).map((s) => [s.status, s.port])).toEqual([
      ['retried', 'fail'],
      ['succeeded', 'fail'],
    ]);
    expect(target.requests).toHaveLength(2);
    await engine.shutdown(0);
    store.close();
  });
});
