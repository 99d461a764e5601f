import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getManualTrigger } from '../../../nodes/registry.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';
import { StoredFlowError, type FlowRow } from '../../store/flows-repo.js';
import type { StoreTx } from '../../store/tx.js';
import { queueDirectRun } from '../triggers/direct-run.js';
import type { Scrubber } from '../secrets/scrub.js';
import type { Admission } from './admit.js';

/** What an onHeld escalation run gets as its `input` (and its `event`). */
interface HeldInput {
  flowId: string;
  executionId: string;
  limit: string;
  reason: string;
  targetKey?: string;
}

/**
 * `limits.onHeld`: a run of this flow was just created held; in the same write, queue a run of
 * the named flow (same team, "Run by hand" source; checked at save) with `input` = what was held,
 * so it can page someone. Its own limits apply; when it is held itself it escalates no further.
 * A flow that no longer fits (deleted, another team, no manual source) is skipped: the held run
 * is still shown in Runs and Events.
 */
export async function escalateHeld(
  tx: StoreTx,
  held: {
    flowId: string;
    executionId: string;
    limits: FlowLimits | undefined;
    admission: Admission;
    targetKey: string | null;
    now: number;
    executionDeadlineMs: number;
    scrubber: Scrubber;
  },
): Promise<void> {
  const target = held.limits?.onHeld?.flow;
  if (!target || held.admission.status !== 'held') return;
  let called: FlowRow | undefined;
  try {
    called = await tx.flows.get(target);
  } catch (error) {
    if (error instanceof StoredFlowError) return;
    throw error;
  }
  if (!called || called.teamId !== (await tx.flows.team(held.flowId))) return;
  const node = called.flow.nodes.find((n) => startsBy(getNodeDefinition(n.type), 'manual'));
  const trigger = node && getManualTrigger(node.type);
  if (!node || !trigger) return;
  const input: HeldInput = {
    flowId: held.flowId,
    executionId: held.executionId,
    limit: held.admission.limit,
    reason: held.admission.reason,
    ...(held.targetKey === null ? {} : { targetKey: held.targetKey }),
  };
  const config = getNodeDefinition(node.type)!.configSchema.parse(node.config);
  let alert: Alert;
  try {
    alert = trigger.alert(config, input, { now: held.now, flowName: called.flow.name, actor: 'guard rails', dedupKey: `held:${held.executionId}` });
  } catch {
    return; // the source refuses this payload: the held run stays visible without the page
  }
  await queueDirectRun(tx, {
    flowId: called.id,
    revision: called.revision,
    node,
    alert,
    payload: input,
    path: `held/${held.flowId}/${held.executionId}`,
    now: held.now,
    deadlineMs: held.executionDeadlineMs,
    scrubber: held.scrubber,
    limits: called.flow.limits,
    flowName: called.flow.name,
    input: { ...input },
    escalate: false,
    startedBy: 'guard-rails',
  });
}
