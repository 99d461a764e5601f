import type { Flow } from '../../../shared/flow/schema.js';
import { outgoingEdges } from '../../../shared/flow/validate.js';
import { getNodeDefinition, lookupNodeSpec } from '../../../nodes/catalog.js';
import type { ApprovalRow } from '../../store/approvals-repo.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StepRow } from '../../store/steps-repo.js';
import { RenderError, renderConfig } from './render.js';
import { stepVars } from './vars.js';
import { stepNeeds } from './step-needs.js';

/** Whether rendering what approving `nodeId` runs may read `event`: then the caller reads the delivery body first. */
export function previewReadsEvent(flow: Flow | undefined, nodeId: string): boolean {
  if (!flow) return false;
  return outgoingEdges(flow, nodeId, 'approved', lookupNodeSpec).some((edge) => {
    const node = flow.nodes.find((n) => n.id === edge.target);
    const def = node && getNodeDefinition(node.type);
    return def !== undefined && stepNeeds(def, node!.config).event;
  });
}

/** A step that ran before the approval was asked for. */
interface RanStep {
  nodeId: string;
  nodeType: string;
  label: string;
  status: StepRow['status'];
  port: string | null;
  output: unknown;
  error: string | null;
  endedAt: string | null;
}

/** A node that runs if the approval is approved: its config as it would run, or why it cannot be rendered. */
type NextStep = { nodeId: string; nodeType: string; label: string } & ({ rendered: unknown } | { error: string });

/** What an approver needs to decide: what already happened and exactly what approving starts. */
export interface ApprovalContext {
  flowName: string | null;
  ran: RanStep[];
  next: NextStep[];
}

/** The node's own label in the flow, else its type's label, else the bare type. */
function labelOf(flow: Flow | undefined, nodeId: string, nodeType: string): string {
  return flow?.nodes.find((n) => n.id === nodeId)?.label ?? getNodeDefinition(nodeType)?.label ?? nodeType;
}

const parse = (text: string | null): unknown => (text == null ? null : JSON.parse(text));

/**
 * The context of one approval. `steps` are all steps of its execution (in seq order); `ran` is
 * those created before the approval step. `next` renders the direct successors of the
 * `approved` port with the same variables and renderer a real step gets (secrets stay
 * references); outputs of later steps, including the approval's own decision, are not known yet.
 */
export function approvalContext(input: {
  approval: ApprovalRow;
  exec: ExecutionRow;
  flow: Flow | undefined;
  steps: StepRow[];
  event: () => unknown;
}): ApprovalContext {
  const { approval, exec, flow, steps } = input;
  const approvalSeq = steps.find((s) => s.id === approval.stepId)?.seq ?? Number.POSITIVE_INFINITY;
  const ran = steps
    .filter((s) => s.seq < approvalSeq)
    .map((s) => ({
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      label: labelOf(flow, s.nodeId, s.nodeType),
      status: s.status,
      port: s.port,
      output: parse(s.output),
      error: s.error,
      endedAt: s.endedAt == null ? null : new Date(s.endedAt).toISOString(),
    }));
  if (!flow) return { flowName: null, ran, next: [] };

  // What runs next runs in the approval's loop item, if it is in one.
  const vars = stepVars(exec, flow, steps, input.event, steps.find((s) => s.id === approval.stepId)?.scope ?? null);
  const next = outgoingEdges(flow, approval.nodeId, 'approved', lookupNodeSpec).flatMap((edge): NextStep[] => {
    const node = flow.nodes.find((n) => n.id === edge.target);
    if (!node) return [];
    const head = { nodeId: node.id, nodeType: node.type, label: labelOf(flow, node.id, node.type) };
    const def = getNodeDefinition(node.type);
    if (!def) return [{ ...head, error: `node type "${node.type}" is not available in this version of Salve` }];
    try {
      return [{ ...head, rendered: renderConfig(node.config, def.expressions(node.config), vars).redacted }];
    } catch (error) {
      if (error instanceof RenderError) return [{ ...head, error: error.message }];
      throw error;
    }
  });
  return { flowName: flow.name, ran, next };
}
