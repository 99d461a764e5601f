import { ValidationError } from '../../../shared/errors.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { FlowNode } from '../../../shared/flow/schema.js';
import { getNodeDefinition, nodeDefinitions } from '../../../nodes/catalog.js';
import { getManualTrigger } from '../../../nodes/registry.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import type { Store } from '../../store/store.js';
import type { Actor } from '../../../shared/audit.js';
import { newId } from '../../store/ids.js';
import type { Clock } from '../clock.js';
import { queueDirectRun } from './direct-run.js';
import type { FlowService } from '../flows/flow-service.js';
import type { QueueCap } from '../ingest/queue-cap.js';
import type { Scrubber } from '../secrets/scrub.js';

export interface ManualRunDeps {
  store: Store;
  clock: Clock;
  flows: FlowService;
  executionDeadlineMs: number;
  /** The cap on queued executions: over it the run is refused with 503. */
  queueCap: QueueCap;
  /** Every secret Salve holds, scrubbed from the run's event row (a person typed the payload). */
  scrubber: Scrubber;
}

export interface ManualRunInput {
  /** Becomes the run's `event`; its `name`, `severity`, `summary`, `labels`… shape the alert. */
  payload: unknown;
  /** Which manual source node starts the run; needed only when the flow has several. */
  sourceNodeId?: string;
}

export interface ManualRunResult {
  executionId: string;
  /** A guard rail (the flow's limits or its breaker) created the run `held`: it waits for a person. */
  held: boolean;
  eventId: string;
  flowId: string;
  flowRevision: number;
  sourceNodeId: string;
}

/** The node types a person can start a run from (their trigger is `manual`), as messages name them. */
const MANUAL = nodeDefinitions
  .filter((d) => startsBy(d, 'manual'))
  .map((d) => d.type)
  .join(' or ');

const runsByHand = (node: FlowNode) => startsBy(getNodeDefinition(node.type), 'manual');

/** The manual source node a run starts at; a ValidationError at `sourceNodeId` says why there is none. */
function pickNode(flowId: string, nodes: readonly FlowNode[], sourceNodeId: string | undefined): FlowNode {
  const manual = nodes.filter(runsByHand);
  const refuse = (message: string) => new ValidationError(`flow "${flowId}" cannot be run by hand`, [{ path: ['sourceNodeId'], message }]);
  if (sourceNodeId !== undefined) {
    const node = nodes.find((n) => n.id === sourceNodeId);
    if (!node) throw refuse(`flow "${flowId}" has no node "${sourceNodeId}"${manual.length ? `; its ${MANUAL} nodes: ${manual.map((n) => n.id).join(', ')}` : ''}`);
    if (!runsByHand(node)) throw refuse(`"${sourceNodeId}" is a ${node.type} node; only ${MANUAL} nodes start runs by hand`);
    return node;
  }
  if (manual.length === 0) throw refuse(`flow "${flowId}" has no ${MANUAL} node: add one ("Run by hand") to run it from the API or the editor`);
  if (manual.length > 1) throw refuse(`flow "${flowId}" has several ${MANUAL} nodes (${manual.map((n) => n.id).join(', ')}): name one`);
  return manual[0]!;
}

/**
 * Starts a flow by hand: the saved (current) revision, from its manual source node, with the
 * payload as `event`. Queued like a webhook's run (it waits while automation is paused); a
 * disabled flow can be run this way too, since a person asked for it. Every call starts a new
 * run (the alert's dedupKey is the execution id). Audited as `flow.run` with the actor.
 */
export async function runManually(deps: ManualRunDeps, flowId: string, input: ManualRunInput, actor: Actor): Promise<ManualRunResult> {
  const stored = await deps.flows.get(flowId);
  const node = pickNode(flowId, stored.flow.nodes, input.sourceNodeId);
  const now = deps.clock.now();
  const executionId = newId('ex', now);
  // pickNode found a manual source; the registry checked at start that each has its trigger.
  const trigger = getManualTrigger(node.type)!;
  const config = getNodeDefinition(node.type)!.configSchema.parse(node.config);
  let alert: Alert;
  try {
    alert = trigger.alert(config, input.payload, {
      now,
      flowName: stored.flow.name,
      actor: actor.name,
      dedupKey: `manual:${executionId}`,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError('payload is invalid', error.issues.map((i) => ({ ...i, path: ['payload', ...i.path] })));
  }
  const queued = await deps.store.write(async (tx) => {
    const ids = await queueDirectRun(tx, {
      flowId,
      revision: stored.revision,
      node,
      alert,
      payload: input.payload,
      path: `api/flows/${flowId}/run`,
      now,
      deadlineMs: deps.executionDeadlineMs,
      executionId,
      scrubber: deps.scrubber,
      startedBy: actor.identity,
      limits: stored.flow.limits,
      flowName: stored.flow.name,
    });
    // The dedup key is the fresh execution id, so it cannot be taken.
    if (!ids) throw new Error(`execution id ${executionId} collided`);
    // A run a guard rail held is not queued.
    await deps.queueCap.admit(tx, ids.held ? 0 : 1);
    await tx.audit.append({
      actor,
      action: 'flow.run',
      target: flowId,
      details: { executionId, revision: stored.revision, sourceNodeId: node.id, ...(ids.held ? { held: true } : {}) },
      now,
    });
    return ids;
  });
  return { ...queued, flowId, flowRevision: stored.revision, sourceNodeId: node.id };
}
