import { SYSTEM_ACTOR } from '../../../shared/audit.js';
import { onResolvedPolicy, RESOLVABLE_WAITS, resolvedCancelReason } from '../../../shared/flow/on-resolved.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { WaitReason } from '../../../shared/statuses.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { StoreTx } from '../../store/tx.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StepRow } from '../../store/steps-repo.js';
import { endExecution } from './transitions.js';

/**
 * A node's `onResolved` policy (shared/flow/on-resolved.ts): when the alert that started a run
 * resolves while one of its steps waits (approval, delay, retry, poll), `cancel` ends the run
 * and `continue` leaves it alone. The resolution only marks the run (delivery-commit.ts sets
 * `alertResolvedAt`); the dispatcher's tick then looks at its waiting steps, knowing each run's
 * revision, and a run that parks after its alert resolved is looked at as it parks (settle). All
 * of it is in the database, so a restart in between changes nothing.
 */

/** Whether the alert that started `exec` has resolved since: a resolution delivered after it fired. */
function resolvedSinceStart(exec: ExecutionRow): boolean {
  if (exec.alertResolvedAt === null) return false;
  // A run a resolved notification started (a flow that handles resolutions) is not cancelled by it.
  const alert = JSON.parse(exec.alert) as { status?: string };
  return alert.status !== 'resolved';
}

/**
 * Applies the policy of `step`'s node if the run's alert has resolved: with `cancel`, the run is
 * cancelled (its waiting steps and pending approvals with it), the reason recorded as its error
 * and audited. `before`: the resolution arrived before the step began waiting. True when cancelled.
 */
export async function applyOnResolved(tx: StoreTx, flow: Flow, exec: ExecutionRow, step: StepRow, now: number, before: boolean): Promise<boolean> {
  const reason = step.waitReason;
  if (step.status !== 'waiting' || reason === null || !RESOLVABLE_WAITS.includes(reason) || !resolvedSinceStart(exec)) return false;
  const node = flow.nodes.find((n) => n.id === step.nodeId);
  if (onResolvedPolicy(getNodeDefinition(step.nodeType), node) !== 'cancel') return false;
  const error = resolvedCancelReason(reason as WaitReason, step.nodeId, before);
  if (!(await endExecution(tx, exec, 'cancelled', error, now))) return false;
  await tx.audit.append({
    actor: SYSTEM_ACTOR,
    action: 'execution.cancel',
    target: exec.id,
    details: { flowId: exec.flowId, nodeId: step.nodeId, reason: error },
    before: { status: exec.status },
    after: { status: 'cancelled' },
    now,
  });
  return true;
}

/** As a run parks: the first of its waiting steps whose policy cancels it, if its alert has resolved already. */
export async function cancelOnPark(tx: StoreTx, flow: Flow, exec: ExecutionRow, waiting: readonly StepRow[], now: number): Promise<boolean> {
  if (!resolvedSinceStart(exec)) return false;
  for (const step of waiting) if (await applyOnResolved(tx, flow, exec, step, now, true)) return true;
  return false;
}
