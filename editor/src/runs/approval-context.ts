import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { Approval, ApprovalNext, ApprovalStepSummary, ExecutionDetail } from '../../../shared/api-views.js';
import { portOf } from '../canvas/model.js';

/**
 * What an approver needs besides the question: what already ran and what approving starts.
 * The server sends this as `ran` and `next` on each approval; older servers do not, and then
 * it is rebuilt here from the execution (steps and the flow revision it runs).
 */

export interface ApprovalContextView {
  flowName: string | null;
  ran: ApprovalStepSummary[];
  next: ApprovalNext[];
  /** True when `next` holds the node configs as written, templates not rendered (fallback). */
  nextUnrendered: boolean;
}

export function nodeLabel(flow: Pick<Flow, 'nodes'> | null | undefined, nodeId: string, nodeType: string): string {
  return flow?.nodes.find((n) => n.id === nodeId)?.label ?? getNodeDefinition(nodeType)?.label ?? nodeType;
}

/** Steps created before the approval's own step, in order. */
export function ranFromExecution(detail: Pick<ExecutionDetail, 'steps' | 'flow'>, approval: Pick<Approval, 'stepId'>): ApprovalStepSummary[] {
  const steps = [...detail.steps].sort((a, b) => a.seq - b.seq);
  const own = steps.find((s) => s.id === approval.stepId);
  const before = own ? steps.filter((s) => s.seq < own.seq) : steps;
  return before.map((s) => ({
    nodeId: s.nodeId,
    nodeType: s.nodeType,
    label: nodeLabel(detail.flow, s.nodeId, s.nodeType),
    status: s.status,
    port: s.port,
    output: s.output,
    error: s.error,
    endedAt: s.endedAt,
  }));
}

/** Nodes on the approval's `approved` edges, with their config as written (not rendered). */
export function nextFromFlow(flow: Pick<Flow, 'nodes' | 'edges'> | null | undefined, approvalNodeId: string): ApprovalNext[] {
  const approvalType = flow?.nodes.find((n) => n.id === approvalNodeId)?.type;
  // A valid flow has no edge leaving a node it does not have.
  if (!flow || approvalType === undefined) return [];
  return flow.edges
    .filter((e) => e.source === approvalNodeId && portOf(approvalType, e.sourcePort) === 'approved')
    .flatMap((e) => {
      const node = flow.nodes.find((n) => n.id === e.target);
      return node ? [{ nodeId: node.id, nodeType: node.type, label: nodeLabel(flow, node.id, node.type), rendered: node.config }] : [];
    });
}

/** The server's context when it sent one, else the one rebuilt from `detail` (once it loaded). */
export function approvalContextView(approval: Approval, detail: ExecutionDetail | undefined): ApprovalContextView {
  return {
    flowName: approval.flowName ?? detail?.flow?.name ?? null,
    ran: approval.ran ?? (detail ? ranFromExecution(detail, approval) : []),
    next: approval.next ?? nextFromFlow(detail?.flow, approval.nodeId),
    nextUnrendered: approval.next === undefined,
  };
}
