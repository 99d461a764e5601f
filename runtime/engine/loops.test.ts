import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { approvalsRepo } from '../store/approvals-repo.js';
import { approvalContext } from './dispatch/approval-context.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { startTarget, type ReceivedRequest, type Target } from '../../test/kit/target.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { flowDoc, type EdgeDoc, type NodeDoc } from '../../test/kit/flow.js';
import { formatIssues, type ValidationError } from '../../shared/errors.js';
import { adminDecider } from '../../test/kit/store-people.js';

/**
 * Loops (`control.foreach`) and variables (`transform.set`) in the engine: each item's steps are
 * rows of their own scope, items run side by side up to `concurrency`, the loop continues on
 * `done` or `error` with every item's result, and a restart in the middle carries on.
 */

const dirs: string[] = [];
const targets: Target[] = [];
const releases: (() => void)[] = [];
afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const t of targets.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function target(respond?: Parameters<typeof startTarget>[0]) {
  const t = await startTarget(respond);
  targets.push(t);
  return t;
}

/**
 * A target that holds each request until `pairs` requests are held at once (or it has seen
 * `total`), and records the most it held: a loop that runs items one at a time never gets two
 * held, and its requests time out instead.
 */
async function gatedTarget(pairs: number, total: number) {
  let held: (() => void)[] = [];
  let seen = 0;
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const t = await target(async () => {
    seen++;
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    await new Promise<void>((resolve) => {
      held.push(resolve);
      releases.push(resolve);
      if (held.length >= pairs || seen === total) {
        for (const r of held) r();
        held = [];
      }
    });
    inFlight--;
    return { status: 200, body: '{"cleaned":true}' };
  });
  return Object.assign(t, { held: state });
}

const loopFlow = (nodes: NodeDoc[], edges: EdgeDoc[]) => flowDoc({ nodes, edges: [{ source: 'am', target: nodes[0]!.id }, ...edges] });
const stepsOf = (store: ReturnType<typeof testEngine>['store'], id: string) => stepsRepo.forExecution(store.db, id).filter((s) => s.nodeId !== 'am');
const execOf = (store: ReturnType<typeof testEngine>['store'], id: string) => executionsRepo.get(store.db, id);
const paths = (requests: ReceivedRequest[]) => requests.map((r) => r.url).sort();
const outputOf = (store: ReturnType<typeof testEngine>['store'], id: string, nodeId: string) => {
  const step = stepsOf(store, id).find((s) => s.nodeId === nodeId && s.status !== 'retried');
  return step?.output ? (JSON.parse(step.output) as Record<string, unknown>) : undefined;
};

/** What saving a flow was refused for, in words. */
async function saveProblems(saving: Promise<unknown>): Promise<string> {
  const error = (await saving.then(() => undefined, (e: unknown) => e)) as ValidationError | undefined;
  return error ? formatIssues(error.issues) : 'saved';
}

const foreach = (config: Record<string, unknown>): NodeDoc => ({ id: 'hosts', type: 'control.foreach', config: { items: 'alert.labels.instance.split(",")', ...config } });
const clean = (url: string): NodeDoc => ({ id: 'clean', type: 'action.http', config: { method: 'POST', url, timeoutSeconds: 5 } });

describe('control.foreach', () => {
  it('runs the each branch once per item, at most `concurrency` at once, then continues on done with the results in order', async () => {
    const t = await gatedTarget(2, 3);
    const done = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [
          foreach({ concurrency: 2 }),
          clean(`${t.url}/clean/{{ index }}/{{ item }}`),
          { id: 'report', type: 'action.http', config: { method: 'POST', url: `${done.url}/report?n={{ size(steps.hosts.results) }}&first={{ steps.hosts.results[0].item }}` } },
        ],
        [
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'hosts', sourcePort: 'done', target: 'report' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'succeeded');

    expect(paths(t.requests)).toEqual(['/clean/0/web1', '/clean/1/web2', '/clean/2/web3']);
    expect(t.held.maxInFlight).toBe(2);
    // Each item acts on something else: its own idempotency key.
    expect([...t.effectsByKey().keys()].sort()).toEqual([`${id}:clean#0`, `${id}:clean#1`, `${id}:clean#2`]);
    const loop = outputOf(store, id, 'hosts') as { items: string[]; results: { index: number; item: string; ok: boolean; steps: { clean: { status: number } } }[] };
    expect(loop.items).toEqual(['web1', 'web2', 'web3']);
    expect(loop.results.map((r) => [r.index, r.item, r.ok, r.steps.clean.status])).toEqual([
      [0, 'web1', true, 200],
      [1, 'web2', true, 200],
      [2, 'web3', true, 200],
    ]);
    expect(done.requests.map((r) => r.url)).toEqual(['/report?n=3&first=web1']);
    const rows = stepsOf(store, id);
    expect(rows.find((s) => s.nodeId === 'hosts')).toMatchObject({ status: 'succeeded', port: 'done' });
    const hostsStep = rows.find((s) => s.nodeId === 'hosts')!.id;
    expect(rows.filter((s) => s.nodeId === 'clean').map((s) => s.scope).sort()).toEqual([0, 1, 2].map((i) => `${hostsStep}#${i}`));
    await engine.shutdown(0);
    store.close();
  });

  it('reports a failed item on error with every result; the other items still run', async () => {
    const t = await target((req) => (req.url.includes('web2') ? { status: 500, body: '{"error":"disk busy"}' } : { status: 200 }));
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [foreach({}), clean(`${t.url}/clean/{{ item }}`), { id: 'note', type: 'transform.set', config: { vars: { failed: 'steps.hosts.results.filter(r, !r.ok).map(r, r.item)' } } }],
        [
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'hosts', sourcePort: 'error', target: 'note' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => ['succeeded', 'failed'].includes(execOf(store, id)?.status ?? ''));
    // The error branch handled it: the execution did what it was told.
    expect(execOf(store, id)?.status).toBe('succeeded');
    expect(paths(t.requests)).toEqual(['/clean/web1', '/clean/web2', '/clean/web3']);
    const loop = outputOf(store, id, 'hosts') as { results: { item: string; ok: boolean; error?: string }[] };
    expect(loop.results.map((r) => [r.item, r.ok])).toEqual([
      ['web1', true],
      ['web2', false],
      ['web3', true],
    ]);
    expect(loop.results[1]!.error).toMatch(/^step "clean" failed: .*500/);
    expect(stepsOf(store, id).find((s) => s.nodeId === 'hosts')).toMatchObject({ status: 'failed', port: 'error', error: expect.stringMatching(/^1 of 3 items failed; item 1: step "clean" failed/) });
    expect(outputOf(store, id, 'note')).toEqual({ failed: ['web2'] });
    await engine.shutdown(0);
    store.close();
  });

  it('fails the execution when an item failed and nothing is on error', async () => {
    const t = await target(() => ({ status: 500 }));
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(loopFlow([foreach({}), clean(`${t.url}/clean/{{ item }}`)], [{ source: 'hosts', sourcePort: 'each', target: 'clean' }]), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2' })))).executions[0]!.id;
    await waitFor(() => ['succeeded', 'failed'].includes(execOf(store, id)?.status ?? ''));
    expect(execOf(store, id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^step "hosts" failed: 2 of 2 items failed; item 0: step "clean" failed/) });
    expect(t.requests).toHaveLength(2);
    await engine.shutdown(0);
    store.close();
  });

  it('fails before any item runs when the list is longer than maxItems', async () => {
    const t = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(loopFlow([foreach({ maxItems: 2 }), clean(`${t.url}/clean/{{ item }}`)], [{ source: 'hosts', sourcePort: 'each', target: 'clean' }]), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'failed');
    expect(execOf(store, id)?.error).toBe('step "hosts" failed: items gave 3 items, more than maxItems (2); no item ran');
    expect(t.requests).toHaveLength(0);
    expect(stepsOf(store, id).map((s) => s.nodeId)).toEqual(['hosts']);
    await engine.shutdown(0);
    store.close();
  });

  it('refuses at save a loop inside a loop and an edge from outside into the loop body', async () => {
    const { engine, store } = testEngine();
    const inner: NodeDoc = { id: 'inner', type: 'control.foreach', config: { items: 'item.split(".")' } };
    const nested = engine.flows.create(loopFlow([foreach({}), inner], [{ source: 'hosts', sourcePort: 'each', target: 'inner' }]), { name: 'test', via: 'token' });
    expect(await saveProblems(nested)).toMatch(/node "inner" is a loop inside the "each" branch of loop "hosts": loops cannot be nested/);
    const leaking = engine.flows.create(
      loopFlow(
        [foreach({}), clean('http://127.0.0.1/{{ item }}'), { id: 'after', type: 'action.delay', config: { seconds: 1 } }],
        [
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'clean', sourcePort: 'ok', target: 'after' },
          { source: 'hosts', sourcePort: 'done', target: 'after' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    expect(await saveProblems(leaking)).toMatch(/edge "hosts" \(done\) → "after": "after" runs once per item of loop "hosts"/);
    store.close();
  });

  it('carries on after a restart in the middle of a loop: finished items stay finished', async () => {
    const t = await target();
    const dir = mkdtempSync(join(tmpdir(), 'salve-loop-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await first.engine.start();
    await first.engine.flows.create(
      loopFlow(
        [foreach({}), clean(`${t.url}/clean/{{ item }}`), { id: 'settle', type: 'action.delay', config: { seconds: 30 } }],
        [
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'clean', sourcePort: 'ok', target: 'settle' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await first.engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => execOf(first.store, id)?.status === 'waiting');
    expect(paths(t.requests)).toEqual(['/clean/web1']);
    first.store.close(); // as a kill would leave it: everything up to the wait is committed

    const second = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await second.engine.start();
    await second.engine.dispatcher.tick();
    expect(execOf(second.store, id)?.status).toBe('waiting');
    for (let item = 2; item <= 3; item++) {
      clock.advance(30_000);
      await second.engine.dispatcher.tick();
      await waitFor(() => t.requests.length === item && execOf(second.store, id)?.status === 'waiting');
    }
    clock.advance(30_000);
    await second.engine.dispatcher.tick();
    await waitFor(() => execOf(second.store, id)?.status === 'succeeded');
    expect(t.requests.map((r) => r.url)).toEqual(['/clean/web1', '/clean/web2', '/clean/web3']);
    const loop = outputOf(second.store, id, 'hosts') as { results: { item: string; ok: boolean; steps: Record<string, unknown> }[] };
    expect(loop.results.map((r) => [r.item, r.ok, Object.keys(r.steps).sort()])).toEqual([
      ['web1', true, ['clean', 'settle']],
      ['web2', true, ['clean', 'settle']],
      ['web3', true, ['clean', 'settle']],
    ]);
    await second.engine.shutdown(0);
    second.store.close();
  });
});

describe('control.foreach, variables and edge cases', () => {
  it('gives each item the vars set in it and before the loop, never another item\'s', async () => {
    const t = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [
          { id: 'env', type: 'transform.set', config: { vars: { env: '"prod"', host: '"none"' } } },
          foreach({ concurrency: 3 }),
          { id: 'name', type: 'transform.set', config: { vars: { host: 'item + "-" + vars.env' } } },
          clean(`${t.url}/clean/{{ vars.host }}?i={{ index }}`),
        ],
        [
          { source: 'env', target: 'hosts' },
          { source: 'hosts', sourcePort: 'each', target: 'name' },
          { source: 'name', target: 'clean' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'succeeded');
    expect(paths(t.requests)).toEqual(['/clean/web1-prod?i=0', '/clean/web2-prod?i=1', '/clean/web3-prod?i=2']);
    await engine.shutdown(0);
    store.close();
  });

  it('asks a person per item; each decision continues its own item, and the approval shows what runs next for it', async () => {
    const t = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [foreach({ concurrency: 2 }), { id: 'ask', type: 'approval.request', config: { message: 'Clean {{ item }}?' } }, clean(`${t.url}/clean/{{ item }}`)],
        [
          { source: 'hosts', sourcePort: 'each', target: 'ask' },
          { source: 'ask', sourcePort: 'approved', target: 'clean' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'waiting' && approvalsRepo.list(store.db, { executionId: id, limit: 10 }).length === 2);
    const [first, second] = approvalsRepo.list(store.db, { executionId: id, limit: 10 }).sort((a, b) => a.message.localeCompare(b.message));
    expect([first!.message, second!.message]).toEqual(['Clean web1?', 'Clean web2?']);
    const exec = execOf(store, id)!;
    const context = approvalContext({ approval: first!, exec, flow: (await engine.flows.getRevision('f1', exec.flowRevision)), steps: stepsRepo.forExecution(store.db, id), event: () => null });
    expect(context.next).toMatchObject([{ nodeId: 'clean', rendered: { url: `${t.url}/clean/web1` } }]);
    await engine.decide(second!.id, { decision: 'reject' }, adminDecider());
    await waitFor(() => execOf(store, id)?.status === 'waiting');
    expect(t.requests).toHaveLength(0);
    await engine.decide(first!.id, { decision: 'approve' }, adminDecider());
    await waitFor(() => execOf(store, id)?.status === 'succeeded');
    expect(t.requests.map((r) => r.url)).toEqual(['/clean/web1']);
    const loop = outputOf(store, id, 'hosts') as { results: { item: string; ok: boolean; steps: Record<string, unknown> }[] };
    expect(loop.results.map((r) => [r.item, r.ok, Object.keys(r.steps).sort()])).toEqual([
      ['web1', true, ['ask', 'clean']],
      ['web2', true, ['ask']],
    ]);
    await engine.shutdown(0);
    store.close();
  });

  it('continues on done at once with an empty list', async () => {
    const t = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [foreach({ items: '[]' }), clean(`${t.url}/clean/{{ item }}`), { id: 'after', type: 'action.http', config: { method: 'POST', url: `${t.url}/after?n={{ size(steps.hosts.results) }}` } }],
        [
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'hosts', sourcePort: 'done', target: 'after' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'succeeded');
    expect(t.requests.map((r) => r.url)).toEqual(['/after?n=0']);
    await engine.shutdown(0);
    store.close();
  });
});

describe('control.foreach, retries and crashes', () => {
  it('retries a failed step inside its item, with the item\'s own idempotency key', async () => {
    let web2 = 0;
    const t = await target((req) => (req.url.includes('web2') && ++web2 === 1 ? { status: 503 } : { status: 200 }));
    const { engine, store, clock } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [foreach({ concurrency: 2 }), { ...clean(`${t.url}/clean/{{ item }}`), retry: { attempts: 2, initialDelay: 10, jitter: 0 } }],
        [{ source: 'hosts', sourcePort: 'each', target: 'clean' }],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2,web3' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'waiting' && t.requests.length === 3);
    clock.advance(10_000);
    await engine.dispatcher.tick();
    await waitFor(() => execOf(store, id)?.status === 'succeeded');
    expect(Object.fromEntries(t.effectsByKey())).toEqual({ [`${id}:clean#0`]: 1, [`${id}:clean#1`]: 2, [`${id}:clean#2`]: 1 });
    const loop = outputOf(store, id, 'hosts') as { results: { item: string; ok: boolean }[] };
    expect(loop.results.map((r) => [r.item, r.ok])).toEqual([
      ['web1', true],
      ['web2', true],
      ['web3', true],
    ]);
    await engine.shutdown(0);
    store.close();
  });

  it('runs an item\'s step again after a kill in the middle of it, and the other items once', async () => {
    let holdFirst = true;
    const held: (() => void)[] = [];
    const t = await target(async () => {
      if (holdFirst) {
        holdFirst = false;
        // The first request never gets its answer before the kill.
        await new Promise<void>((resolve) => {
          held.push(resolve);
          releases.push(resolve);
        });
      }
      return { status: 200 };
    });
    const dir = mkdtempSync(join(tmpdir(), 'salve-loop-kill-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await first.engine.start();
    await first.engine.flows.create(loopFlow([foreach({}), clean(`${t.url}/clean/{{ item }}`)], [{ source: 'hosts', sourcePort: 'each', target: 'clean' }]), { name: 'test', via: 'token' });
    const id = (await first.engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'web1,web2' })))).executions[0]!.id;
    await waitFor(() => held.length === 1);
    expect(stepsOf(first.store, id).map((s) => [s.nodeId, s.status])).toEqual([
      ['hosts', 'waiting'],
      ['clean', 'intent'],
    ]);
    first.store.close(); // killed while the request is in flight

    const second = testEngine({ file, clock, allowedTargets: ['127.0.0.1'] });
    await second.engine.start();
    await waitFor(() => execOf(second.store, id)?.status === 'succeeded');
    // The interrupted item ran again with the same key (the target can drop the repeat); the next item once.
    expect(Object.fromEntries(t.effectsByKey())).toEqual({ [`${id}:clean#0`]: 2, [`${id}:clean#1`]: 1 });
    const loop = outputOf(second.store, id, 'hosts') as { results: { item: string; ok: boolean }[] };
    expect(loop.results.map((r) => [r.item, r.ok])).toEqual([
      ['web1', true],
      ['web2', true],
    ]);
    await second.engine.shutdown(0);
    second.store.close();
  });
});

describe('transform.set', () => {
  it('computes variables later templates read as vars.<name>; a later step replaces a name', async () => {
    const t = await target();
    const { engine, store } = testEngine({ allowedTargets: ['127.0.0.1'] });
    await engine.start();
    await engine.flows.create(
      loopFlow(
        [
          { id: 'names', type: 'transform.set', config: { vars: { host: 'alert.labels.instance.split(":")[0]', port: 'alert.labels.instance.split(":")[1]' } } },
          { id: 'more', type: 'transform.set', config: { vars: { port: '"8080"', service: 'alert.labels.service.upperAscii()' } } },
          { id: 'call', type: 'action.http', config: { method: 'POST', url: `${t.url}/{{ vars.host }}/{{ vars.port }}?svc={{ vars.service }}` } },
        ],
        [
          { source: 'names', target: 'more' },
          { source: 'more', target: 'call' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1', { instance: 'db1.example.internal:9100' })))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'succeeded');
    expect(t.requests.map((r) => r.url)).toEqual(['/db1.example.internal/8080?svc=POSTGRESQL']);
    expect(outputOf(store, id, 'names')).toEqual({ host: 'db1.example.internal', port: '9100' });
    await engine.shutdown(0);
    store.close();
  });

  it('refuses at save a variable no step before sets, naming those that are', async () => {
    const { engine, store } = testEngine();
    const saving = engine.flows.create(
      loopFlow(
        [
          { id: 'names', type: 'transform.set', config: { vars: { host: 'alert.labels.instance.split(":")[0]' } } },
          { id: 'call', type: 'action.http', config: { url: 'http://{{ vars.hots }}/x' } },
        ],
        [{ source: 'names', target: 'call' }],
      ),
      { name: 'test', via: 'token' },
    );
    expect(await saveProblems(saving)).toMatch(/no step before this node sets vars\.hots \(steps before it set vars\.host\)/);
    store.close();
  });

  it('fails the step naming the variable whose expression failed', async () => {
    const { engine, store } = testEngine();
    await engine.start();
    await engine.flows.create(loopFlow([{ id: 'names', type: 'transform.set', config: { vars: { ok: '"x"', rack: 'alert.labels.rack' } } }], []), { name: 'test', via: 'token' });
    const id = (await engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions[0]!.id;
    await waitFor(() => execOf(store, id)?.status === 'failed');
    expect(execOf(store, id)?.error).toMatch(/^step "names" failed: vars\.rack could not be computed: "alert\.labels\.rack": /);
    await engine.shutdown(0);
    store.close();
  });
});
