import { ValidationError } from '../../../shared/errors.js';
import type { FlowNode } from '../../../shared/flow/schema.js';
import { ManualConfigSchema } from '../../../nodes/source/manual/definition.js';
import { manualAlert } from '../../../nodes/source/manual/ingest.js';
import type { SqliteStore } from '../../store/db.js';
import { appendAudit } from '../../store/audit-repo.js';
import { newId } from '../../store/ids.js';
import type { Clock } from '../clock.js';
import { queueDirectRun } from './direct-run.js';
import type { FlowService } from '../flows/flow-service.js';
import type { QueueCap } from '../ingest/queue-cap.js';

export interface ManualRunDeps {
  store: SqliteStore;
  clock: Clock;
  flows: FlowService;
  executionDeadlineMs: number;
  /** The cap on queued executions: over it the run is refused with 503. */
  queueCap: QueueCap;
}

export interface ManualRunInput {
  /** Becomes the run's `event`; its `name`, `severity`, `summary`, `labels`… shape the alert. */
  payload: unknown;
  /** Which `source.manual` node starts the run; needed only when the flow has several. */
  sourceNodeId?: string;
}

export interface ManualRunResult {
  executionId: string;
  eventId: string;
  flowId: string;
  flowRevision: number;
  sourceNodeId: string;
}

const MANUAL = 'source.manual';

/** The `source.manual` node a run starts at; a ValidationError at `sourceNodeId` says why there is none. */
function pickNode(flowId: string, nodes: readonly FlowNode[], sourceNodeId: string | undefined): FlowNode {
  const manual = nodes.filter((n) => n.type === MANUAL);
  const refuse = (message: string) => new ValidationError(`flow "${flowId}" cannot be run by hand`, [{ path: ['sourceNodeId'], message }]);
  if (sourceNodeId !== undefined) {
    const node = nodes.find((n) => n.id === sourceNodeId);
    if (!node) throw refuse(`flow "${flowId}" has no node "${sourceNodeId}"${manual.length ? `; its ${MANUAL} nodes: ${manual.map((n) => n.id).join(', ')}` : ''}`);
    if (node.type !== MANUAL) throw refuse(`"${sourceNodeId}" is a ${node.type} node; only ${MANUAL} nodes start runs by hand`);
    return node;
  }
  if (manual.length === 0) throw refuse(`flow "${flowId}" has no ${MANUAL} node: add one ("Run by hand") to run it from the API or the editor`);
  if (manual.length > 1) throw refuse(`flow "${flowId}" has several ${MANUAL} nodes (${manual.map((n) => n.id).join(', ')}): name one`);
  return manual[0]!;
}

/**
 * Starts a flow by hand: the saved (current) revision, from its `source.manual` node, with the
 * payload as `event`. Queued like a webhook's run (it waits while automation is paused); a
 * disabled flow can be run this way too, since a person asked for it. Every call starts a new
 * run (the alert's dedupKey is the execution id). Audited as `flow.run` with the actor.
 */
export async function runManually(deps: ManualRunDeps, flowId: string, input: ManualRunInput, actor: string): Promise<ManualRunResult> {
  const stored = deps.flows.get(flowId);
  const node = pickNode(flowId, stored.flow.nodes, input.sourceNodeId);
  const now = deps.clock.now();
  const executionId = newId('ex', now);
  let alert;
  try {
    alert = manualAlert(ManualConfigSchema.parse(node.config), input.payload, {
      now,
      flowName: stored.flow.name,
      actor,
      dedupKey: `manual:${executionId}`,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError('payload is invalid', error.issues.map((i) => ({ ...i, path: ['payload', ...i.path] })));
  }
  const queued = await deps.store.write((db) => {
    const ids = queueDirectRun(db, {
      flowId,
      revision: stored.revision,
      node,
      alert,
      payload: input.payload,
      path: `api/flows/${flowId}/run`,
      now,
      deadlineMs: deps.executionDeadlineMs,
      executionId,
    });
    // The dedup key is the fresh execution id, so it cannot be taken.
    if (!ids) throw new Error(`execution id ${executionId} collided`);
    deps.queueCap.admit(db, 1);
    appendAudit(db, {
      actor,
      action: 'flow.run',
      target: flowId,
      details: { executionId, revision: stored.revision, sourceNodeId: node.id },
      now,
    });
    return ids;
  });
  return { ...queued, flowId, flowRevision: stored.revision, sourceNodeId: node.id };
}
