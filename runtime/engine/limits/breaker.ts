import type { BreakerView } from '../../../shared/api-views.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { ExecutionStatus } from '../../../shared/statuses.js';
import { breakerFailures } from '../../store/breakers-repo.js';
import { StoredFlowError } from '../../store/flows-repo.js';
import type { StoreTx } from '../../store/tx.js';

/** The endings that count towards a flow's circuit breaker. */
const BREAKER_ENDINGS: readonly ExecutionStatus[] = ['failed', 'timed_out', 'needs_attention'];

async function currentFlow(tx: StoreTx, flowId: string): Promise<Flow | undefined> {
  try {
    return (await tx.flows.get(flowId))?.flow;
  } catch (error) {
    if (error instanceof StoredFlowError) return undefined;
    throw error;
  }
}

/**
 * A run of `flowId` ended with `status`, in the write running now: when the flow (its current
 * revision) has `limits.breaker` and this is a failure, counts the flow's failures within the
 * window (since the last reset, if later) and trips the breaker at `failures`. Call wherever a
 * run reaches failed, timed_out or needs_attention, in that same write.
 */
export async function breakerAfterEnd(tx: StoreTx, flowId: string, status: ExecutionStatus, now: number): Promise<void> {
  if (!BREAKER_ENDINGS.includes(status)) return;
  const policy = (await currentFlow(tx, flowId))?.limits?.breaker;
  if (!policy) return;
  const row = await tx.breakers.get(flowId);
  if (row?.trippedAt != null) return;
  // Failures before a reset were looked at by the person who reset it: they do not count again.
  const since = Math.max(now - policy.window * 1000, row?.resetAt != null ? row.resetAt + 1 : 0);
  const failures = await tx.executions.endedSince(flowId, BREAKER_ENDINGS, since);
  if (failures.length < policy.failures) return;
  await tx.breakers.trip(flowId, failures.map((f) => ({ executionId: f.id, status: f.status, endedAt: f.finishedAt })), now);
}

/** The breaker of a flow as the API shows it. */
export async function breakerView(tx: StoreTx, flowId: string, policy: { failures: number; window: number } | undefined): Promise<BreakerView> {
  const row = await tx.breakers.get(flowId);
  const view: BreakerView = { state: row?.trippedAt != null ? 'tripped' : 'closed' };
  if (row?.trippedAt != null) {
    view.trippedAt = row.trippedAt;
    view.failures = breakerFailures(row).map((f) => ({ executionId: f.executionId, status: f.status as ExecutionStatus, endedAt: f.endedAt }));
  }
  if (row?.resetBy != null) view.resetBy = row.resetBy;
  if (row?.resetAt != null) view.resetAt = row.resetAt;
  if (policy) view.policy = { failures: policy.failures, window: policy.window };
  return view;
}
