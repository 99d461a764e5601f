import { getNodeDefinition } from '../../../nodes/catalog.js';
import { MAX_CALL_DEPTH, type CalledRunOutput } from '../../../nodes/call-contract.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import type { StepOutcome } from '../../../nodes/executor.js';
import { ACTIVE_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import { newId } from '../../store/ids.js';
import type { StepRow } from '../../store/steps-repo.js';
import type { StoreTx } from '../../store/tx.js';
import { varsFrom } from './loop-vars.js';
import type { Alert } from '../../../shared/alert/schema.js';
import { admissionColumns, admitRun, type Admission } from '../limits/admit.js';
import { escalateHeld } from '../limits/on-held.js';
import { renderTargetKey } from '../limits/target-key.js';
import { createScrubber } from '../secrets/scrub.js';

/** The escalation of a held child carries only what the stored (already scrubbed) alert and the limits say. */
const noScrub = createScrubber([]);
import { endExecution, requeue, spawnNext } from './transitions.js';

/**
 * `flow.call`: a step starts another flow as a child run and waits for it. Every function here
 * runs inside the caller's transaction, so a child is created in the same commit that parks its
 * calling step, and the calling step resumes in the same commit that ends the child: a crash
 * between the two cannot happen.
 */

type CallOutcome = Extract<StepOutcome, { type: 'call' }>;

const json = (v: unknown) => JSON.stringify(v);

/** The step outputs a call passes back at most, as JSON; past it they are left out (the child's page has them). */
const MAX_CALL_OUTPUT_BYTES = 262_144;

/** The dedup key of the child a step starts: at most one per step, even when the step runs again after a crash. */
const callDedupKey = (stepId: string) => `call:${stepId}`;

/**
 * Starts the child run a `flow.call` step asked for and parks the step `waiting` (reason
 * `call`) until it ends. Refusals (too deep, the called flow gone or without a manual source)
 * fail the step on `error`. A step run again after a crash finds the child it already started
 * (its dedup key) and waits for that one.
 */
export async function startCall(
  tx: StoreTx,
  step: StepRow,
  from: 'pending' | 'intent',
  outcome: CallOutcome,
  meta: { config: unknown; startedAt: number; now: number },
  spawnOnFail: (port: string, output: unknown) => Promise<void>,
): Promise<void> {
  const base = { config: json(meta.config), startedAt: meta.startedAt, attempt: step.attempt };
  const parent = await tx.executions.get(step.executionId);
  const refuse = async (error: string) => {
    const output: CalledRunOutput = { executionId: null, flowId: outcome.flowId, status: null, error, steps: {}, vars: {} };
    const ok = await tx.steps.transition(step.id, [from], { ...base, status: 'failed', port: 'error', output: json(output), error, endedAt: meta.now });
    if (ok && parent?.status === 'running') await spawnOnFail('error', output);
  };
  if (parent?.status !== 'running') {
    await tx.steps.transition(step.id, [from], { ...base, status: 'cancelled', endedAt: meta.now });
    return;
  }
  const depth = parent.callDepth + 1;
  if (depth > MAX_CALL_DEPTH) {
    await refuse(`calls nest too deep: this run is already ${parent.callDepth} calls deep, and at most ${MAX_CALL_DEPTH} are allowed`);
    return;
  }
  const called = await tx.flows.get(outcome.flowId);
  if (!called) {
    await refuse(`flow "${outcome.flowId}" does not exist (it was deleted after this flow was saved)`);
    return;
  }
  // Checked at save too; again here, since teams' flows can be deleted and re-created.
  const callerTeam = await tx.flows.team(parent.flowId);
  if (called.teamId !== callerTeam) {
    await refuse(`flow "${outcome.flowId}" belongs to team "${called.teamId}": a flow can only call flows of its own team`);
    return;
  }
  const source = called.flow.nodes.find((n) => startsBy(getNodeDefinition(n.type), 'manual'));
  if (!source) {
    await refuse(`flow "${outcome.flowId}" (revision ${called.revision}) has no "Run by hand" source to start at`);
    return;
  }
  const dedupKey = callDedupKey(step.id);
  const existing = await tx.executions.idByDedupKey(called.id, dedupKey);
  const childId = existing ?? newId('ex', meta.now);
  // The called flow's own guard rails apply to its run (a caller cannot get round them): a held
  // child waits for a person like any held run, and its caller waits for it meanwhile.
  const targetKey = renderTargetKey(called.flow.limits, {
    alert: JSON.parse(parent.alert) as Alert,
    flow: { id: called.id, name: called.flow.name, revision: called.revision },
  });
  const admission: Admission = existing ? { status: 'queued' } : await admitRun(tx, { flowId: called.id, limits: called.flow.limits, targetKey, now: meta.now });
  // Its deadline is the caller's: a called run never outlives the run that waits for it.
  const deadlineAt = outcome.timeoutSeconds ? Math.min(parent.deadlineAt, meta.now + outcome.timeoutSeconds * 1000) : parent.deadlineAt;
  const waiting: CalledRunOutput = { executionId: childId, flowId: called.id, status: admission.status, error: null, steps: {}, vars: {} };
  const parked = await tx.steps.transition(step.id, [from], {
    ...base,
    status: 'waiting',
    waitReason: 'call',
    wakeAt: outcome.timeoutSeconds ? meta.now + outcome.timeoutSeconds * 1000 : null,
    // While it waits, the output names the child (the run view links to it).
    output: json(waiting),
  });
  // Only a step that was parked here starts a child (one recorded meanwhile by another runner does not).
  if (!parked) return;
  const inserted = await tx.executions.insertIfNew({
    id: childId,
    flowId: called.id,
    flowRevision: called.revision,
    eventId: parent.eventId,
    sourceNodeId: source.id,
    dedupKey,
    fingerprint: parent.fingerprint,
    alert: parent.alert,
    ...admissionColumns(admission, targetKey, meta.now),
    createdAt: meta.now,
    updatedAt: meta.now,
    deadlineAt,
    parentExecutionId: parent.id,
    parentStepId: step.id,
    callDepth: depth,
    input: json(outcome.input),
  });
  // The child a try of this step already started may have ended: continue at once then.
  if (!inserted) await finishCall(tx, childId, meta.now);
  else if (admission.status === 'held') {
    await escalateHeld(tx, { flowId: called.id, executionId: childId, limits: called.flow.limits, admission, targetKey, now: meta.now, executionDeadlineMs: deadlineAt - meta.now, scrubber: noScrub });
  }
}

/** The outputs of a run's steps by node id (the latest of each), its source step left out; capped. */
async function stepOutputs(tx: StoreTx, child: ExecutionRow): Promise<{ steps: Record<string, unknown>; vars: Record<string, unknown>; note?: string }> {
  const steps: Record<string, unknown> = {};
  const rows = await tx.steps.forExecution(child.id);
  const vars = varsFrom(rows.filter((s) => s.scope === null));
  for (const s of rows) {
    if (s.nodeId === child.sourceNodeId || (s.status !== 'succeeded' && s.status !== 'failed')) continue;
    steps[s.nodeId] = s.output == null ? null : (JSON.parse(s.output) as unknown);
  }
  const size = Buffer.byteLength(json({ steps, vars }));
  if (size <= MAX_CALL_OUTPUT_BYTES) return { steps, vars };
  return { steps: {}, vars: {}, note: `the called run's step outputs and variables (${size} bytes) are larger than ${MAX_CALL_OUTPUT_BYTES} bytes and were left out; its page shows them` };
}

/**
 * A run ended: if a `flow.call` step waits for it, that step continues (on `ok` when the run
 * ended `succeeded` or `no_action`, else on `error`, recorded as failed) and its run goes back
 * to the queue. Call wherever an execution reaches a terminal status.
 */
export async function finishCall(tx: StoreTx, childId: string, now: number): Promise<void> {
  const child = await tx.executions.get(childId);
  // A held child has not ended either: it waits for a person.
  if (!child?.parentExecutionId || !child.parentStepId || ACTIVE_EXECUTION_STATUSES.includes(child.status) || child.status === 'held') return;
  const step = await tx.steps.get(child.parentStepId);
  if (step?.status !== 'waiting' || step.waitReason !== 'call') return;
  const ok = child.status === 'succeeded' || child.status === 'no_action';
  const { steps, vars, note } = await stepOutputs(tx, child);
  const error = ok ? null : `the called run of flow "${child.flowId}" ended ${child.status}${child.error ? `: ${child.error}` : ''}`;
  const output: CalledRunOutput = { executionId: child.id, flowId: child.flowId, status: child.status, error: error ?? note ?? null, steps, vars };
  await resumeCall(tx, step, ok ? 'ok' : 'error', output, error, now);
}

/**
 * A call step's `timeoutSeconds` passed before its child ended: the step fails on `error` and
 * the child is cancelled. Returns the ids of the runs cancelled (for the dispatcher to abort).
 */
export async function callTimedOut(tx: StoreTx, step: StepRow, now: number): Promise<string[]> {
  const waiting = step.output ? (JSON.parse(step.output) as CalledRunOutput) : undefined;
  const seconds = step.wakeAt && step.startedAt ? Math.round((step.wakeAt - step.startedAt) / 1000) : undefined;
  const error = `the called run did not finish within ${seconds ?? '?'} s; it was cancelled`;
  const output: CalledRunOutput = { executionId: waiting?.executionId ?? null, flowId: waiting?.flowId ?? '', status: 'cancelled', error, steps: {}, vars: {} };
  if (!(await resumeCall(tx, step, 'error', output, error, now))) return [];
  const child = waiting?.executionId ? await tx.executions.get(waiting.executionId) : undefined;
  if (!child) return [];
  return await endCalled(tx, child, `cancelled: the calling step "${step.nodeId}" stopped waiting after ${seconds ?? '?'} s`, now);
}

/**
 * The runs an ending execution called and that still run end with it (cancelled), and theirs in
 * turn. Returns their ids.
 */
export async function cancelCalled(tx: StoreTx, parentId: string, now: number): Promise<string[]> {
  const ended: string[] = [];
  for (const child of await tx.executions.children(parentId)) {
    if (ACTIVE_EXECUTION_STATUSES.includes(child.status) || child.status === 'held') ended.push(...(await endCalled(tx, child, 'cancelled: the run that called it ended', now)));
  }
  return ended;
}

/**
 * Whether a calling step changed nothing: its called run ended `no_action`, or never started (a
 * refusal). `settle` does not count such a step as an action, so a caller whose procedure only
 * looked ends `no_action` too. A called run given up on or cancelled may have acted: it counts.
 */
export function calledNothing(step: StepRow): boolean {
  if (!getNodeDefinition(step.nodeType)?.calledFlow || step.output == null) return false;
  const output = JSON.parse(step.output) as Partial<CalledRunOutput>;
  return output.status === 'no_action' || output.executionId === null;
}

/** Every run `executionId` called, and theirs in turn (at most MAX_CALL_DEPTH levels). */
export async function calledRuns(tx: StoreTx, executionId: string, depth = 0): Promise<string[]> {
  if (depth > MAX_CALL_DEPTH) return [];
  const ids: string[] = [];
  for (const child of await tx.executions.children(executionId)) ids.push(child.id, ...(await calledRuns(tx, child.id, depth + 1)));
  return ids;
}

async function endCalled(tx: StoreTx, child: ExecutionRow, error: string, now: number): Promise<string[]> {
  // endExecution cancels the child's own children (cancelCalled) in turn.
  const ids = (await endExecution(tx, child, 'cancelled', error, now)) ? [child.id] : [];
  return [...ids, ...(await tx.executions.children(child.id)).map((c) => c.id)];
}

/** Continues a waiting call step on `port` and queues its run again (resumeStep, with a failed status on error). */
async function resumeCall(tx: StoreTx, step: StepRow, port: 'ok' | 'error', output: CalledRunOutput, error: string | null, now: number): Promise<boolean> {
  const ok = await tx.steps.transition(step.id, ['waiting'], {
    status: error ? 'failed' : 'succeeded',
    port,
    output: json(output),
    error,
    endedAt: now,
    wakeAt: null,
    waitReason: null,
  });
  if (!ok) return false;
  const exec = await tx.executions.get(step.executionId);
  // `queued` too: a run checkpointed by a shutdown or a pause while another branch was pending
  // picks the new steps up when it runs again.
  if (!exec || !ACTIVE_EXECUTION_STATUSES.includes(exec.status)) return true;
  const flow = await tx.flows.getRevision(exec.flowId, exec.flowRevision);
  if (flow) await spawnNext(tx, flow, exec.id, step, port, output, now);
  await requeue(tx, exec, now);
  return true;
}
