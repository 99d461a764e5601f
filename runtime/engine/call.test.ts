import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsRepo } from '../store/executions-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { ManualClock, testEngine, webhookDelivery } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { amBody } from '../../test/kit/alertmanager.js';
import { flowDoc, type EdgeDoc, type NodeDoc } from '../../test/kit/flow.js';
import { flowsRepo } from '../store/flows-repo.js';
import { parseFlowOrThrow } from './flows/flow-service.js';
import { ConflictError, formatIssues, ValidationError } from '../../shared/errors.js';

/**
 * `flow.call`: a step runs another flow as a child run, waits for it durably, and continues on
 * `ok` or `error` with what the child produced; the two runs name each other.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Kit = ReturnType<typeof testEngine>;

/** A procedure: a "Run by hand" source, then `nodes`. */
const procedure = (id: string, nodes: NodeDoc[], edges: EdgeDoc[], enabled = false) =>
  flowDoc({ id, enabled, source: { id: 'start', type: 'source.manual', config: {} }, nodes, edges });

const echoHost = procedure('restart-procedure', [{ id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarting {{ input.host }}'] } }], [{ source: 'start', target: 'restart' }]);

/** A caller on /hooks/infra: `call` runs `flow`, then `done` (on ok) or `handle` (on error). */
const caller = (flow: string, extra: Record<string, unknown> = {}, id = 'f1') =>
  flowDoc({
    id,
    nodes: [
      { id: 'call', type: 'flow.call', config: { flow, input: { host: '{{ alert.labels.instance }}' }, ...extra } },
      { id: 'done', type: 'condition.expr', config: { expression: 'steps.call.status == "succeeded"' } },
      { id: 'handle', type: 'condition.expr', config: { expression: 'true' } },
    ],
    edges: [
      { source: 'am', target: 'call' },
      { source: 'call', sourcePort: 'ok', target: 'done' },
      { source: 'call', sourcePort: 'error', target: 'handle' },
    ],
  });

const exec = (k: Kit, id: string) => executionsRepo.get(k.store.db, id)!;
const stepsOf = (k: Kit, id: string) => stepsRepo.forExecution(k.store.db, id);
const callStep = (k: Kit, id: string) => stepsOf(k, id).find((s) => s.nodeId === 'call')!;
const childOf = (k: Kit, id: string) => executionsRepo.children(k.store.db, id);

async function fire(k: Kit, fp = 'fp1'): Promise<string> {
  return (await k.engine.ingest('infra', webhookDelivery(amBody(fp)))).executions[0]!.id;
}

async function rejection(fn: () => Promise<unknown>) {
  return fn().then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('flow.call', () => {
  it("returns the called run's variables (transform.set) to the caller", async () => {
    const k = testEngine();
    await k.engine.start();
    const lookup = procedure(
      'lookup-owner',
      [{ id: 'answer', type: 'transform.set', config: { vars: { owner: '"team-" + input.host.split(".")[0]' } } }],
      [{ source: 'start', target: 'answer' }],
    );
    await k.engine.flows.create(lookup, { name: 'test', via: 'token' });
    await k.engine.flows.create(caller('lookup-owner'), { name: 'test', via: 'token' });
    const id = await fire(k);
    await k.engine.idle();
    expect(JSON.parse(callStep(k, id).output!)).toMatchObject({ status: 'no_action', vars: { owner: 'team-db1' } });
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('runs the called flow as a child with the input, then continues on ok with its outputs', async () => {
    const k = testEngine();
    await k.engine.start();
    await k.engine.flows.create(echoHost, { name: 'test', via: 'token' });
    await k.engine.flows.create(caller('restart-procedure'), { name: 'test', via: 'token' });
    const id = await fire(k);
    await k.engine.idle();

    const parent = exec(k, id);
    expect(parent.status).toBe('succeeded');
    const [child] = childOf(k, id);
    expect(child).toMatchObject({ flowId: 'restart-procedure', status: 'succeeded', parentExecutionId: id, callDepth: 1, alert: parent.alert });
    expect(child!.parentStepId).toBe(callStep(k, id).id);
    expect(JSON.parse(child!.input!)).toEqual({ host: 'db1.example.internal:9100' });

    const call = callStep(k, id);
    expect([call.status, call.port]).toEqual(['succeeded', 'ok']);
    const output = JSON.parse(call.output!);
    expect(output).toMatchObject({ executionId: child!.id, flowId: 'restart-procedure', status: 'succeeded', error: null });
    expect(output.steps.restart.stdout).toBe('restarting db1.example.internal:9100\n');
    expect(stepsOf(k, id).find((s) => s.nodeId === 'done')).toMatchObject({ status: 'succeeded', port: 'true' });
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('continues on error when the child fails, naming how it ended', async () => {
    const k = testEngine();
    await k.engine.start();
    await k.engine.flows.create(procedure('broken', [{ id: 'fix', type: 'action.shell', config: { command: ['false'] } }], [{ source: 'start', target: 'fix' }]), { name: 'test', via: 'token' });
    await k.engine.flows.create(caller('broken'), { name: 'test', via: 'token' });
    const id = await fire(k);
    await k.engine.idle();

    expect(childOf(k, id)[0]!.status).toBe('failed');
    const call = callStep(k, id);
    expect([call.status, call.port]).toEqual(['failed', 'error']);
    expect(call.error).toMatch(/^the called run of flow "broken" ended failed: step "fix" failed/);
    expect(stepsOf(k, id).find((s) => s.nodeId === 'handle')?.status).toBe('succeeded');
    expect(stepsOf(k, id).find((s) => s.nodeId === 'done')).toBeUndefined();
    // The error path handled it: the caller itself did not fail.
    expect(exec(k, id).status).toBe('succeeded');
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('waits durably: the parent is parked while the child waits, and resumes once the child ends', async () => {
    const k = testEngine();
    await k.engine.start();
    await k.engine.flows.create(
      procedure(
        'slow',
        [
          { id: 'pause', type: 'action.delay', config: { seconds: 60 } },
          { id: 'restart', type: 'action.shell', config: { command: ['echo', '{{ input.host }}'] } },
        ],
        [
          { source: 'start', target: 'pause' },
          { source: 'pause', target: 'restart' },
        ],
      ),
      { name: 'test', via: 'token' },
    );
    await k.engine.flows.create(caller('slow'), { name: 'test', via: 'token' });
    const id = await fire(k);
    await k.engine.idle();
    expect(exec(k, id).status).toBe('waiting');
    expect(callStep(k, id)).toMatchObject({ status: 'waiting', waitReason: 'call' });
    const child = childOf(k, id)[0]!;
    expect(exec(k, child.id).status).toBe('waiting');
    expect(JSON.parse(callStep(k, id).output!).executionId).toBe(child.id);

    k.clock.advance(60_000);
    await k.engine.dispatcher.tick();
    await k.engine.idle();
    expect(exec(k, child.id).status).toBe('succeeded');
    expect(exec(k, id).status).toBe('succeeded');
    expect(callStep(k, id).port).toBe('ok');
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('resumes the parent exactly once when the process is killed while it waits on a child', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-call-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock });
    await first.engine.start();
    await first.engine.flows.create(procedure('slow', [{ id: 'pause', type: 'action.delay', config: { seconds: 60 } }, { id: 'restart', type: 'action.shell', config: { command: ['true'] } }], [{ source: 'start', target: 'pause' }, { source: 'pause', target: 'restart' }]), { name: 'test', via: 'token' });
    await first.engine.flows.create(caller('slow'), { name: 'test', via: 'token' });
    const id = await fire(first);
    await first.engine.idle();
    expect(exec(first, id).status).toBe('waiting');
    first.store.close(); // as a kill would leave it: everything up to the waits is committed

    const second = testEngine({ file, clock });
    await second.engine.start();
    await second.engine.idle();
    expect(exec(second, id).status).toBe('waiting');
    clock.advance(60_000);
    await second.engine.dispatcher.tick();
    await second.engine.idle();
    await second.engine.dispatcher.tick();
    await second.engine.idle();

    expect(childOf(second, id)).toHaveLength(1);
    expect(childOf(second, id)[0]!.status).toBe('succeeded');
    expect(exec(second, id).status).toBe('succeeded');
    const calls = stepsOf(second, id).filter((s) => s.nodeId === 'call');
    expect(calls.map((s) => [s.status, s.port])).toEqual([['succeeded', 'ok']]);
    expect(stepsOf(second, id).filter((s) => s.nodeId === 'done')).toHaveLength(1);
    await second.engine.shutdown(0);
    second.store.close();
  });

  it('continues on error when a restart leaves the child needing attention (a command cut off mid-run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-call-'));
    dirs.push(dir);
    const file = join(dir, 'salve.db');
    const clock = new ManualClock();
    const first = testEngine({ file, clock });
    await first.engine.start();
    await first.engine.flows.create(procedure('long', [{ id: 'fix', type: 'action.shell', config: { command: ['sleep', '2'] } }], [{ source: 'start', target: 'fix' }]), { name: 'test', via: 'token' });
    await first.engine.flows.create(caller('long'), { name: 'test', via: 'token' });
    const id = await fire(first);
    const child = await waitFor(() => {
      const c = childOf(first, id)[0];
      return c && stepsOf(first, c.id).some((s) => s.nodeId === 'fix' && s.status === 'intent') && c;
    });
    first.store.close(); // killed while the command runs: it may or may not have acted

    const second = testEngine({ file, clock });
    await second.engine.start();
    await second.engine.idle();
    expect(exec(second, child.id).status).toBe('needs_attention');
    const call = callStep(second, id);
    expect([call.status, call.port]).toEqual(['failed', 'error']);
    expect(call.error).toMatch(/^the called run of flow "long" ended needs_attention: step "fix" \(action\.shell\) was interrupted by a restart/);
    expect(exec(second, id).status).toBe('succeeded');
    await second.engine.shutdown(0);
    second.store.close();
  });

  it('cancelling the parent cancels the child; timing out the wait cancels it too', async () => {
    const k = testEngine();
    await k.engine.start();
    await k.engine.flows.create(procedure('slow', [{ id: 'pause', type: 'action.delay', config: { seconds: 600 } }], [{ source: 'start', target: 'pause' }]), { name: 'test', via: 'token' });
    await k.engine.flows.create(caller('slow'), { name: 'test', via: 'token' });
    await k.engine.flows.create(caller('slow', { timeoutSeconds: 30 }, 'f2'), { name: 'test', via: 'token' });
    // Both callers listen on /hooks/infra: one delivery starts both.
    const ids = (await k.engine.ingest('infra', webhookDelivery(amBody('fp1')))).executions.map((e) => e.id);
    await k.engine.idle();
    const [cancelled, timed] = ids.map((id) => exec(k, id)).sort((a, b) => a.flowId.localeCompare(b.flowId));

    await k.engine.cancel(cancelled!.id, { name: 'alice', via: 'token' });
    await k.engine.idle();
    expect(exec(k, cancelled!.id).status).toBe('cancelled');
    const child = childOf(k, cancelled!.id)[0]!;
    expect(exec(k, child.id)).toMatchObject({ status: 'cancelled', error: 'cancelled: the run that called it ended' });

    k.clock.advance(30_000);
    await k.engine.dispatcher.tick();
    await k.engine.idle();
    const call = callStep(k, timed!.id);
    expect([call.status, call.port, call.error]).toEqual(['failed', 'error', 'the called run did not finish within 30 s; it was cancelled']);
    expect(exec(k, childOf(k, timed!.id)[0]!.id).status).toBe('cancelled');
    expect(stepsOf(k, timed!.id).find((s) => s.nodeId === 'handle')?.status).toBe('succeeded');
    expect(exec(k, timed!.id).status).toBe('succeeded');
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('refuses to nest deeper than 8 calls at run time', async () => {
    const k = testEngine();
    await k.engine.start();
    // Saved in order, each calling the previous one: a chain of 8 calls is allowed.
    await k.engine.flows.create(procedure('p0', [{ id: 'ok', type: 'condition.expr', config: { expression: 'true' } }], [{ source: 'start', target: 'ok' }]), { name: 'test', via: 'token' });
    for (let i = 1; i <= 8; i++) {
      await k.engine.flows.create(procedure(`p${i}`, [{ id: 'call', type: 'flow.call', config: { flow: `p${i - 1}` } }], [{ source: 'start', target: 'call' }]), { name: 'test', via: 'token' });
    }
    // A ninth level is refused when saved, naming the chain.
    const error = (await rejection(() => k.engine.flows.create(caller('p8'), { name: 'test', via: 'token' }))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(formatIssues(error.issues)).toMatch(/nodes\[1\]\.config\.flow: calls would nest 9 deep \(f1 → p8 → p7 → p6 → p5 → p4 → p3 → p2 → p1 → p0\); at most 8/);

    // Eight deep is fine at run time.
    const run = await k.engine.runManually('p8', { payload: {} }, { name: 'alice', via: 'token' });
    await k.engine.idle();
    let deepest = exec(k, run.executionId);
    while (childOf(k, deepest.id).length > 0) deepest = childOf(k, deepest.id)[0]!;
    expect(deepest).toMatchObject({ flowId: 'p0', callDepth: 8, status: 'no_action' });
    // Nothing along the chain acted, so neither did the callers: each ends `no_action`.
    expect(exec(k, run.executionId).status).toBe('no_action');

    // The run-time guard, for a chain the save checks did not see (written outside the API): p0 calls once more.
    const deeper = parseFlowOrThrow(procedure('p0', [{ id: 'call', type: 'flow.call', config: { flow: 'p1' } }], [{ source: 'start', target: 'call' }]));
    await k.store.write((db) => flowsRepo.update(db, deeper, 1, k.clock.now()));
    const again = await k.engine.runManually('p8', { payload: {} }, { name: 'alice', via: 'token' });
    await k.engine.idle();
    deepest = exec(k, again.executionId);
    while (childOf(k, deepest.id).length > 0) deepest = childOf(k, deepest.id)[0]!;
    expect(deepest).toMatchObject({ flowId: 'p0', callDepth: 8, status: 'failed' });
    expect(callStep(k, deepest.id)).toMatchObject({
      status: 'failed',
      port: 'error',
      error: 'calls nest too deep: this run is already 8 calls deep, and at most 8 are allowed',
    });
    // Each caller above took `error` with nothing after it: the whole chain failed, none hung.
    expect(exec(k, again.executionId).status).toBe('failed');
    await k.engine.shutdown(0);
    k.store.close();
  });

  it('refuses at save a call loop, a missing flow, or a flow without a manual source, naming the field', async () => {
    const k = testEngine();
    await k.engine.flows.create(procedure('a', [], []), { name: 'test', via: 'token' });
    await k.engine.flows.create(procedure('b', [{ id: 'call', type: 'flow.call', config: { flow: 'a' } }], [{ source: 'start', target: 'call' }]), { name: 'test', via: 'token' });
    const loop = procedure('a', [{ id: 'call', type: 'flow.call', config: { flow: 'b' } }], [{ source: 'start', target: 'call' }]);
    const cycle = (await rejection(() => k.engine.flows.update('a', loop, 1, { name: 'test', via: 'token' }))) as ValidationError;
    expect(cycle.issues).toEqual([{ path: ['nodes', 1, 'config', 'flow'], message: 'calls would loop: a → b → a' }]);
    const self = (await rejection(() => k.engine.flows.update('a', procedure('a', [{ id: 'call', type: 'flow.call', config: { flow: 'a' } }], [{ source: 'start', target: 'call' }]), 1, { name: 'test', via: 'token' }))) as ValidationError;
    expect(self.issues[0]!.message).toBe('calls would loop: a → a');

    const missing = (await rejection(() => k.engine.flows.create(caller('nowhere'), { name: 'test', via: 'token' }))) as ValidationError;
    expect(missing.issues).toEqual([{ path: ['nodes', 1, 'config', 'flow'], message: 'flow "nowhere" does not exist: save it first (a called flow must exist)' }]);

    await k.engine.flows.create(flowDoc({ id: 'webhook-only' }), { name: 'test', via: 'token' });
    const noManual = (await rejection(() => k.engine.flows.create(caller('webhook-only'), { name: 'test', via: 'token' }))) as ValidationError;
    expect(noManual.issues[0]).toEqual({ path: ['nodes', 1, 'config', 'flow'], message: 'flow "webhook-only" has no "Run by hand" source: add one, it is where a called run starts' });

    // A called flow keeps its manual source, and is not deleted while called.
    const dropSource = (await rejection(() => k.engine.flows.update('a', flowDoc({ id: 'a', enabled: false }), 1, { name: 'test', via: 'token' }))) as ValidationError;
    expect(dropSource.issues[0]!.message).toBe('flow "a" is called by "b": it must keep a "Run by hand" source, where a called run starts');
    const del = await rejection(() => k.engine.flows.delete('a', { name: 'test', via: 'token' }));
    expect(del).toBeInstanceOf(ConflictError);
    expect((del as Error).message).toMatch(/^flow "a" is called by "b"/);
    // Nothing above was saved.
    expect((await k.engine.flows.get('a')).revision).toBe(1);
    k.store.close();
  });

  it('imports a caller together with the flow it calls, in any order, and refuses a loop inside a bundle', async () => {
    const k = testEngine();
    const saved = await k.engine.flows.import({ flows: [caller('restart-procedure'), echoHost] }, { name: 'test', via: 'token' });
    expect(saved.map((f) => f.flow.id)).toEqual(['f1', 'restart-procedure']);
    const loop = {
      flows: [
        procedure('x', [{ id: 'call', type: 'flow.call', config: { flow: 'y' } }], [{ source: 'start', target: 'call' }]),
        procedure('y', [{ id: 'call', type: 'flow.call', config: { flow: 'x' } }], [{ source: 'start', target: 'call' }]),
      ],
    };
    const error = (await rejection(() => k.engine.flows.import(loop, { name: 'test', via: 'token' }))) as ValidationError;
    expect(error.issues).toEqual([
      { path: ['flows', 0, 'nodes', 1, 'config', 'flow'], message: 'calls would loop: x → y → x' },
      { path: ['flows', 1, 'nodes', 1, 'config', 'flow'], message: 'calls would loop: y → x → y' },
    ]);
    expect((await k.engine.flows.list()).map((f) => f.id)).toEqual(['f1', 'restart-procedure']);
    k.store.close();
  });
});
