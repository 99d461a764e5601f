import type { Flow } from '../../../shared/flow/schema.js';
import { outgoingEdges } from '../../../shared/flow/validate.js';
import { getNodeDefinition, lookupNodeSpec } from '../../../nodes/catalog.js';
import type { StepOutcome } from '../../../nodes/executor.js';
import type { StoreTx } from '../../store/tx.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import { newId } from '../../store/ids.js';
import type { StepRow } from '../../store/steps-repo.js';
import { calledNothing, cancelCalled, finishCall, startCall } from './calls.js';
import type { Scrubber } from '../secrets/scrub.js';
import { advanceLoops, parkLoop } from './loops.js';
import { planHash } from '../approvals/plan-hash.js';
import { breakerAfterEnd } from '../limits/breaker.js';
import { cancelOnPark } from './on-resolved.js';

/**
 * The state changes of an execution, each a function over one open transaction (callers run
 * them inside `store.write`), written once for both engines over StoreTx (store/tx.ts). Keeping
 * them here, apart from the runner's I/O, makes every transition one atomic commit.
 */

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * Creates one pending step per edge leaving `nodeId` through `port`. `nextSeq`: the execution's
 * next step number when the caller knows it (else it is read, once a step is to be created).
 */
export async function spawnNext(tx: StoreTx, flow: Flow, executionId: string, from: StepRow, port: string, output: unknown, now: number, nextSeq?: number): Promise<void> {
  let seq = nextSeq;
  let input: string | null | undefined;
  for (const edge of outgoingEdges(flow, from.nodeId, port, lookupNodeSpec)) {
    const node = flow.nodes.find((n) => n.id === edge.target);
    if (!node) continue;
    seq ??= await tx.steps.nextSeq(executionId);
    // The same output for every edge: serialized once.
    input ??= json(output);
    await tx.steps.insert({
      id: newId('st', now),
      executionId,
      seq: seq++,
      nodeId: node.id,
      nodeType: node.type,
      parentStepId: from.id,
      status: 'pending',
      attempt: 0,
      input,
      createdAt: now,
      scope: from.scope,
    });
  }
}

/**
 * First step of a run: the source node, already done, with the alert as its output. Its config
 * is stored scrubbed of every secret (`scrubber`), like every step's.
 */
export async function startExecution(tx: StoreTx, flow: Flow, exec: ExecutionRow, now: number, scrubber: Scrubber): Promise<void> {
  if (await tx.steps.nextSeq(exec.id) > 1) return;
  const node = flow.nodes.find((n) => n.id === exec.sourceNodeId);
  if (!node) throw new Error(`source node "${exec.sourceNodeId}" is missing from flow ${flow.id}@${exec.flowRevision}`);
  const port = getNodeDefinition(node.type)?.outputs[0] ?? 'out';
  const alert = JSON.parse(exec.alert) as unknown;
  const step: StepRow = {
    id: newId('st', now),
    executionId: exec.id,
    seq: 1,
    nodeId: node.id,
    nodeType: node.type,
    parentStepId: null,
    status: 'succeeded',
    attempt: 1,
    port,
    input: null,
    config: json(scrubber.scrub(node.config)),
    output: json(alert),
    error: null,
    createdAt: now,
    startedAt: now,
    endedAt: now,
    wakeAt: null,
    waitReason: null,
    scope: null,
  };
  await tx.steps.insert(step);
  await spawnNext(tx, flow, exec.id, step, port, alert, now, 2);
}

/** Records what a step produced and moves the flow on. `from` is the status the step is in. */
export async function applyOutcome(
  tx: StoreTx,
  flow: Flow,
  step: StepRow,
  from: 'pending' | 'intent',
  outcome: StepOutcome,
  meta: { config: unknown; startedAt: number; now: number },
  /** The step's execution when the caller read it in this transaction already. */
  known?: ExecutionRow,
): Promise<void> {
  const exec = known ?? await tx.executions.get(step.executionId);
  const live = exec?.status === 'running';
  const base = { config: json(meta.config), startedAt: meta.startedAt, attempt: step.attempt };
  const outputs = getNodeDefinition(step.nodeType)?.outputs ?? [];
  switch (outcome.type) {
    case 'next': {
      const ok = await tx.steps.transition(step.id, [from], {
        ...base,
        status: 'succeeded',
        port: outcome.port,
        output: json(outcome.output),
        endedAt: meta.now,
      });
      // Undone after the run, even one that was cancelled meanwhile: what the step set up exists.
      if (ok && outcome.afterRun) await tx.afterRun.insert({ stepId: step.id, executionId: step.executionId, nextAt: meta.now, createdAt: meta.now });
      if (ok && live) await spawnNext(tx, flow, step.executionId, step, outcome.port, outcome.output, meta.now);
      return;
    }
    case 'fail': {
      const port = outcome.port && outputs.includes(outcome.port) ? outcome.port : null;
      const ok = await tx.steps.transition(step.id, [from], {
        ...base,
        status: 'failed',
        port,
        output: json(outcome.output),
        error: outcome.error,
        endedAt: meta.now,
      });
      if (ok && live && port) await spawnNext(tx, flow, step.executionId, step, port, outcome.output, meta.now);
      return;
    }
    case 'wait-approval': {
      const wakeAt = meta.now + outcome.timeoutSeconds * 1000;
      const ok = await tx.steps.transition(step.id, [from], { ...base, status: 'waiting', wakeAt, waitReason: 'approval' });
      if (!ok) return;
      await tx.approvals.insert({
        id: newId('ap', meta.now),
        executionId: step.executionId,
        stepId: step.id,
        nodeId: step.nodeId,
        message: outcome.message,
        status: 'pending',
        createdAt: meta.now,
        deadlineAt: wakeAt,
        decidedAt: null,
        decidedBy: null,
        comment: null,
        // What approving runs, and the rules it is decided by, as they are when the step begins.
        planHash: exec ? planHash(flow, exec.flowRevision, step.nodeId) : null,
        rules: JSON.stringify(outcome.rules),
      });
      return;
    }
    case 'wait-resolved': {
      // Already resolved (the resolution came first, or the run was started by it): go on at once.
      const resolvedAt = exec ? alertResolvedAt(exec) : undefined;
      if (resolvedAt !== undefined) {
        const output = { resolvedAt: new Date(resolvedAt).toISOString(), waitedSeconds: 0 };
        const ok = await tx.steps.transition(step.id, [from], { ...base, status: 'succeeded', port: 'resolved', output: json(output), endedAt: meta.now });
        if (ok && live) await spawnNext(tx, flow, step.executionId, step, 'resolved', output, meta.now);
        return;
      }
      // Woken early by the resolution (delivery-commit.ts sets wakeAt to now), else at the timeout.
      await tx.steps.transition(step.id, [from], { ...base, status: 'waiting', wakeAt: meta.now + outcome.timeoutSeconds * 1000, waitReason: 'resolved' });
      return;
    }
    case 'foreach':
      // Waits while its items run; settle (advanceLoops) starts them in the same commit.
      await parkLoop(tx, step, from, outcome.items, base);
      return;
    case 'wait-until':
      await tx.steps.transition(step.id, [from], {
        ...base,
        status: 'waiting',
        wakeAt: outcome.until.getTime(),
        waitReason: 'delay',
        port: outcome.port,
        output: json(outcome.output),
      });
      return;
    case 'call':
      await startCall(tx, step, from, outcome, meta, (port, output) => spawnNext(tx, flow, step.executionId, step, port, output, meta.now));
      return;
  }
}

/**
 * When the run's alert was resolved: `alertResolvedAt` (a resolution delivered after the run
 * started), or for a run started by a resolved notification its own `endsAt` (else its start).
 */
function alertResolvedAt(exec: ExecutionRow): number | undefined {
  if (exec.alertResolvedAt !== null) return exec.alertResolvedAt;
  const alert = JSON.parse(exec.alert) as { status?: string; endsAt?: string };
  if (alert.status !== 'resolved') return undefined;
  const at = Date.parse(alert.endsAt ?? '');
  return Number.isNaN(at) ? exec.createdAt : at;
}

/**
 * A `wait.resolved` step is due (woken by the resolution, or its time is up): it continues on
 * `resolved` if the run's alert has resolved, else on `timeout`.
 */
export async function finishResolvedWait(tx: StoreTx, flow: Flow, step: StepRow, now: number): Promise<boolean> {
  const exec = await tx.executions.get(step.executionId);
  if (!exec) return false;
  const resolvedAt = alertResolvedAt(exec);
  const waitedSeconds = Math.max(0, Math.round((now - (step.startedAt ?? now)) / 1000));
  const output = { resolvedAt: resolvedAt === undefined ? null : new Date(resolvedAt).toISOString(), waitedSeconds };
  return await resumeStep(tx, flow, step, resolvedAt === undefined ? 'timeout' : 'resolved', output, now);
}

/**
 * Records a try that will run again (a failed try with a retry policy, a polling check that
 * has not passed yet): the try keeps its outcome as a `retried` row, and a new row of the same
 * node waits until `at` (the dispatcher's tick sets it pending again, see `rerunStep`). Nothing
 * moves on from a retried try, and `settle` does not count it as a failure.
 */
export async function repeatStep(
  tx: StoreTx,
  step: StepRow,
  from: 'pending' | 'intent',
  outcome: StepOutcome,
  meta: { config: unknown; startedAt: number; now: number },
  repeat: { reason: 'retry' | 'poll'; at: number },
): Promise<boolean> {
  const ok = await tx.steps.transition(step.id, [from], {
    config: json(meta.config),
    startedAt: meta.startedAt,
    attempt: step.attempt,
    status: 'retried',
    port: outcome.type === 'next' || outcome.type === 'fail' ? (outcome.port ?? null) : null,
    output: 'output' in outcome ? json(outcome.output) : null,
    error: outcome.type === 'fail' ? outcome.error : null,
    endedAt: meta.now,
  });
  if (!ok) return false;
  await tx.steps.insert({
    id: newId('st', meta.now),
    executionId: step.executionId,
    seq: await tx.steps.nextSeq(step.executionId),
    nodeId: step.nodeId,
    nodeType: step.nodeType,
    parentStepId: step.parentStepId,
    status: 'waiting',
    attempt: step.attempt,
    input: step.input,
    createdAt: meta.now,
    wakeAt: repeat.at,
    waitReason: repeat.reason,
    scope: step.scope,
  });
  return true;
}

/** A retry's or a poll's wait is over: the step runs again, and its execution goes back to the queue. */
export async function rerunStep(tx: StoreTx, step: StepRow, now: number): Promise<boolean> {
  if (!await tx.steps.transition(step.id, ['waiting'], { status: 'pending', wakeAt: null, waitReason: null })) return false;
  const exec = await tx.executions.get(step.executionId);
  if (exec) await requeue(tx, exec, now);
  return true;
}

/**
 * Decides what a running execution does when it has no pending step: park (something waits),
 * or finish. Returns 'continue' when a pending step appeared meanwhile.
 */
export async function settle(tx: StoreTx, flow: Flow, executionId: string, now: number): Promise<'continue' | 'parked' | 'finished' | 'gone'> {
  const exec = await tx.executions.get(executionId);
  if (exec?.status !== 'running') return 'gone';
  let all = await tx.steps.forExecution(executionId);
  if (await advanceLoops(tx, flow, executionId, now, spawnNext, all)) all = await tx.steps.forExecution(executionId);
  // `intent`: a step of another loop item still runs (the runner runs items side by side).
  if (all.some((s) => s.status === 'pending' || s.status === 'intent')) return 'continue';
  const waiting = all.filter((s) => s.status === 'waiting');
  if (waiting.length > 0) {
    // The alert resolved before this wait began: a node whose onResolved is `cancel` ends the run now.
    if (await cancelOnPark(tx, flow, exec, waiting, now)) return 'finished';
    const onApproval = waiting.some((s) => getNodeDefinition(s.nodeType)?.category === 'approval');
    await tx.executions.transition(executionId, ['running'], {
      status: 'waiting',
      waitStartedAt: onApproval ? now : null,
      updatedAt: now,
    });
    return 'parked';
  }
  // A failure inside a loop item is the loop's to report (its own step fails when an item did).
  const unhandled = all.filter(
    (s) => s.status === 'failed' && s.scope === null && !(s.port && outgoingEdges(flow, s.nodeId, s.port, lookupNodeSpec).length > 0),
  );
  const first = unhandled[0];
  const ended = await tx.executions.transition(executionId, ['running'], {
    status: first ? 'failed' : tookAction(all) ? 'succeeded' : 'no_action',
    error: first ? `step "${first.nodeId}" failed: ${first.error ?? 'unknown error'}` : null,
    finishedAt: now,
    updatedAt: now,
  });
  if (ended && first) await breakerAfterEnd(tx, exec.flowId, 'failed', now);
  // Only a run a `flow.call` started reports back to a caller.
  if (exec.parentExecutionId !== null) await finishCall(tx, executionId, now);
  return 'finished';
}

/**
 * Whether a step that changes the world (or asks a person) ran: the steps the runner commits as
 * `intent` first, because their node definitions declare `sideEffects`. A run without one ends
 * `no_action` instead of `succeeded`, so "an alert was looked at and nothing was done" never
 * reads as "a fix was applied". Its steps stay stored: the run view shows where it stopped.
 */
function tookAction(steps: readonly StepRow[]): boolean {
  return steps.some(
    (s) => s.status !== 'pending' && s.status !== 'cancelled' && getNodeDefinition(s.nodeType)?.sideEffects === true && !calledNothing(s),
  );
}

/**
 * Continues a waiting step on `port` (approval decided or timed out, delay over) and queues its
 * execution again. Returns false if the step was no longer waiting (already resumed).
 */
export async function resumeStep(tx: StoreTx, flow: Flow, step: StepRow, port: string, output: unknown, now: number): Promise<boolean> {
  const ok = await tx.steps.transition(step.id, ['waiting'], {
    status: 'succeeded',
    port,
    output: json(output),
    endedAt: now,
    wakeAt: null,
    waitReason: null,
  });
  if (!ok) return false;
  const exec = await tx.executions.get(step.executionId);
  // A queued execution (checkpointed by a graceful stop while this step waited) leads on too: its
  // next claim runs the steps created here. Only an ended execution does not.
  if (!exec || (exec.status !== 'waiting' && exec.status !== 'running' && exec.status !== 'queued')) return true;
  await spawnNext(tx, flow, exec.id, step, port, output, now);
  await requeue(tx, exec, now);
  return true;
}

/**
 * A parked execution has a step to run again: back to the queue. Time spent waiting for a
 * person (`waitStartedAt`, set only for approvals) does not count against its deadline.
 */
export async function requeue(tx: StoreTx, exec: ExecutionRow, now: number): Promise<void> {
  if (exec.status !== 'waiting') return;
  const waited = exec.waitStartedAt ? now - exec.waitStartedAt : 0;
  await tx.executions.transition(exec.id, ['waiting'], {
    status: 'queued',
    deadlineAt: exec.deadlineAt + waited,
    waitStartedAt: null,
    updatedAt: now,
  });
}

/** Ends an execution early (cancel, deadline): closes its open steps and approvals. */
export async function endExecution(
  tx: StoreTx,
  exec: ExecutionRow,
  status: 'cancelled' | 'timed_out',
  error: string,
  now: number,
): Promise<boolean> {
  // `held`: a held run can be cancelled (or the run that called it ended) before anyone released it.
  const ok = await tx.executions.transition(exec.id, ['held', 'queued', 'running', 'waiting'], {
    status,
    error,
    finishedAt: now,
    updatedAt: now,
  });
  if (!ok) return false;
  await breakerAfterEnd(tx, exec.flowId, status, now);
  await tx.steps.cancelOpen(exec.id, now);
  await tx.approvals.cancelForExecution(exec.id, now);
  // After its own steps closed: the runs it called end too, and a run that called it continues.
  await cancelCalled(tx, exec.id, now);
  await finishCall(tx, exec.id, now);
  return true;
}
