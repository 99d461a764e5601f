import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { StoreTx } from '../../store/tx.js';
import { cancelCalled, finishCall } from './calls.js';
import { breakerAfterEnd } from '../limits/breaker.js';

/** What recovering did, for the start-up log and the adoption warning. */
export interface RecoveryReport {
  /** Idempotent steps put back to run again. */
  recoveredSteps: number;
  /** Executions stopped because a non-idempotent step's outcome is unknown. */
  needsAttention: number;
  /** Executions put back in the queue. */
  requeued: number;
}

/** Why an execution had no live runner: the process stopped, or its runner's lease ran out. */
type OrphanCause = 'restart' | 'lease';

const STEP_UNKNOWN: Record<OrphanCause, string> = {
  restart: 'Salve stopped while this step was running; it may or may not have taken effect, so it was not run again. Check the target, then handle it by hand.',
  lease: 'the runner of this step stopped before recording its outcome; it may or may not have taken effect, so it was not run again. Check the target, then handle it by hand.',
};
const EXEC_UNKNOWN: Record<OrphanCause, string> = {
  restart: 'was interrupted by a restart',
  lease: 'lost its runner (lease expired)',
};

const emptyReport = (): RecoveryReport => ({ recoveredSteps: 0, needsAttention: 0, requeued: 0 });

/**
 * The crash rules, for one execution that no live runner owns, inside the caller's transaction:
 * - a non-idempotent step left in `intent` may or may not have acted: it becomes `unknown`, is
 *   never re-run, and the execution stops in `needs_attention` for a person to decide;
 * - an idempotent step left in `intent` goes back to `pending` and runs again (HTTP actions send
 *   the same Idempotency-Key, so the target can drop the repeat);
 * - a `running` execution goes back to the queue, its lease cleared.
 * Used at start-up (every lease belongs to a dead process) and by the lease sweep.
 */
async function recoverExecution(tx: StoreTx, executionId: string, now: number, cause: OrphanCause, report: RecoveryReport): Promise<void> {
  const exec = await tx.executions.get(executionId);
  if (!exec) return;
  const interrupted = (await tx.steps.forExecution(executionId)).filter((s) => s.status === 'intent');
  const unsafe = interrupted.find((s) => !getNodeDefinition(s.nodeType)?.idempotent);
  if (unsafe) {
    for (const step of interrupted.filter((s) => !getNodeDefinition(s.nodeType)?.idempotent)) {
      await tx.steps.transition(step.id, ['intent'], { status: 'unknown', endedAt: now, error: STEP_UNKNOWN[cause] });
    }
    const moved = await tx.executions.transition(executionId, ['running', 'queued', 'waiting'], {
      status: 'needs_attention',
      error: `step "${unsafe.nodeId}" (${unsafe.nodeType}) ${EXEC_UNKNOWN[cause]}; its outcome is unknown`,
      finishedAt: now,
      updatedAt: now,
      leaseOwner: null,
      leaseUntil: null,
    });
    // Its other steps in flight end too: nothing of a stopped execution runs again.
    for (const step of interrupted.filter((s) => getNodeDefinition(s.nodeType)?.idempotent)) {
      await tx.steps.transition(step.id, ['intent'], { status: 'cancelled', endedAt: now });
    }
    if (moved) {
      await breakerAfterEnd(tx, exec.flowId, 'needs_attention', now);
      await tx.steps.cancelOpen(executionId, now);
      await tx.approvals.cancelForExecution(executionId, now);
      await cancelCalled(tx, executionId, now);
      await finishCall(tx, executionId, now);
      report.needsAttention++;
    }
    return;
  }
  // `queued` counts as live: a shutdown checkpoints a run whose aborted step is still in intent.
  const live = exec.status === 'running' || exec.status === 'queued';
  for (const step of interrupted) {
    await tx.steps.transition(step.id, ['intent'], live ? { status: 'pending' } : { status: 'cancelled', endedAt: now });
    if (live) report.recoveredSteps++;
  }
  if (exec.status === 'running') {
    await tx.executions.transition(executionId, ['running'], { status: 'queued', updatedAt: now, leaseOwner: null, leaseUntil: null });
    report.requeued++;
  }
}

/** Start-up: every `running` execution and every step left in `intent` belongs to a process that is gone. */
export async function recoverAll(tx: StoreTx, now: number): Promise<RecoveryReport> {
  const report = emptyReport();
  const running = await tx.executions.withStatus('running');
  const inIntent = await tx.steps.withStatus('intent');
  const ids = new Set([...running.map((e) => e.id), ...inIntent.map((s) => s.executionId)]);
  for (const id of ids) await recoverExecution(tx, id, now, 'restart', report);
  return report;
}

/**
 * Adopts `running` executions whose lease ended at `now` and that `isLive` (this process's
 * runners) does not claim, at most `limit`. The lease is re-checked here, inside the
 * transaction, so a renewal committed meanwhile wins. Returns the adopted ids and the report.
 */
export async function adoptExpired(tx: StoreTx, now: number, isLive: (id: string) => boolean, limit: number): Promise<{ ids: string[]; report: RecoveryReport }> {
  const report = emptyReport();
  const ids: string[] = [];
  for (const { id } of await tx.leases.expired(now, limit)) {
    // Locked and checked again: another process may have adopted, claimed or renewed it since the read.
    if (isLive(id) || !(await tx.leases.lockExpired(id, now))) continue;
    await recoverExecution(tx, id, now, 'lease', report);
    ids.push(id);
  }
  return { ids, report };
}

/**
 * The runs a stopping process cut short (their steps aborted after the grace period): the crash
 * rules, applied by the process itself. With PostgreSQL no restart of this process will do it,
 * and another process would only after the leases end (their checkpoint already cleared them).
 */
export async function recoverCutShort(tx: StoreTx, executionIds: readonly string[], now: number): Promise<RecoveryReport> {
  const report = emptyReport();
  for (const id of executionIds) await recoverExecution(tx, id, now, 'restart', report);
  return report;
}
