import type { Flow } from '../../../shared/flow/schema.js';
import { TERMINAL_EXECUTION_STATUSES, type ExecutionStatus, type StepStatus } from '../../../shared/statuses.js';
import type { Step } from '../../../shared/api-views.js';
import { edgeId, portOf } from '../canvas/model.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { NodeMark, NodeMarkInfo } from '../canvas/overlay.js';

/**
 * How a run is drawn on its flow: each node coloured by its latest step, the edges its tokens
 * travelled highlighted, and which node the side panel opens on.
 */

/** The canvas mark for a step status. `intent` and `pending` are both "in progress" to a reader. */
export function markForStep(status: StepStatus): NodeMark {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'retried':
      return 'failed';
    case 'waiting':
      return 'waiting';
    case 'unknown':
      return 'unknown';
    case 'cancelled':
      return 'cancelled';
    case 'pending':
    case 'intent':
      return 'running';
  }
}

/** Over for good: a held run has not started yet (a release starts it), so it is not finished. */
export function isFinished(status: ExecutionStatus): boolean {
  return TERMINAL_EXECUTION_STATUSES.includes(status);
}

/** Steps grouped by node, each list in seq order. */
export function stepsByNode(steps: readonly Step[]): Map<string, Step[]> {
  const out = new Map<string, Step[]>();
  for (const step of [...steps].sort((a, b) => a.seq - b.seq)) {
    const list = out.get(step.nodeId);
    if (list) list.push(step);
    else out.set(step.nodeId, [step]);
  }
  return out;
}

/**
 * One mark per node. A node runs once per arriving token, so the latest step decides its
 * colour; the note is the port it took (and how often it ran when more than once). Nodes with
 * no step are `skipped` once the run is over; while it runs they may still be reached, so they
 * stay unmarked rather than claiming something that is not known yet.
 */
export function runMarks(flow: Pick<Flow, 'nodes'>, steps: readonly Step[], status: ExecutionStatus): Map<string, NodeMarkInfo> {
  const byNode = stepsByNode(steps);
  const finished = isFinished(status);
  const marks = new Map<string, NodeMarkInfo>();
  for (const node of flow.nodes) {
    const list = byNode.get(node.id);
    const latest = list?.at(-1);
    if (!latest) {
      if (finished) marks.set(node.id, { mark: 'skipped' });
      continue;
    }
    const notes: string[] = [];
    if (latest.port) notes.push(latest.port);
    if (list!.length > 1) notes.push(`ran ${list!.length}×`);
    const info: NodeMarkInfo = { mark: markForStep(latest.status) };
    if (notes.length) info.note = notes.join(', ');
    marks.set(node.id, info);
  }
  return marks;
}

/**
 * Edge ids (as `edgeId` makes them for the canvas) that a token travelled: every step with a
 * parent came over the edge from the parent's node, leaving through the port the parent took
 * (or, for a loop item's first step, the loop's loop port).
 */
export function takenEdges(steps: readonly Step[]): Set<string> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const out = new Set<string>();
  for (const step of steps) {
    if (!step.parentStepId) continue;
    const parent = byId.get(step.parentStepId);
    if (!parent) continue;
    // The first step of a loop item left its loop through the loop port, whatever port the loop ended on.
    const fromLoop = step.scope !== null && parent.scope !== step.scope ? getNodeDefinition(parent.nodeType)?.loopPort : undefined;
    out.add(edgeId(parent.nodeId, portOf(parent.nodeType, fromLoop ?? parent.port ?? undefined), step.nodeId));
  }
  return out;
}

const NEEDS_A_LOOK: readonly StepStatus[] = ['waiting', 'failed', 'unknown'];

/**
 * The node the side panel opens on: the latest step that needs a person (waiting, failed,
 * outcome unknown), else the latest step, else nothing.
 */
export function defaultSelection(steps: readonly Step[]): string | undefined {
  const ordered = [...steps].sort((a, b) => a.seq - b.seq);
  const needy = ordered.filter((s) => NEEDS_A_LOOK.includes(s.status)).at(-1);
  return (needy ?? ordered.at(-1))?.nodeId;
}
