import type { ApprovalContext } from '../engine/approval-context.js';
import type { ApprovalRow } from '../store/approvals-repo.js';
import type { EventRow } from '../store/events-repo.js';
import type { ExecutionRow } from '../store/executions-repo.js';
import type { StepRow } from '../store/steps-repo.js';

/** How stored rows look in API responses: ISO times, JSON columns parsed. */

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

export function executionView(row: ExecutionRow) {
  return {
    id: row.id,
    flowId: row.flowId,
    flowRevision: row.flowRevision,
    eventId: row.eventId,
    sourceNodeId: row.sourceNodeId,
    status: row.status,
    error: row.error,
    alert: parse(row.alert),
    createdAt: iso(row.createdAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    deadlineAt: iso(row.deadlineAt),
  };
}

export function stepView(row: StepRow) {
  return {
    id: row.id,
    seq: row.seq,
    nodeId: row.nodeId,
    nodeType: row.nodeType,
    parentStepId: row.parentStepId,
    status: row.status,
    attempt: row.attempt,
    port: row.port,
    input: parse(row.input),
    config: parse(row.config),
    output: parse(row.output),
    error: row.error,
    createdAt: iso(row.createdAt),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    wakeAt: iso(row.wakeAt),
  };
}

/** An approval; with its execution, also the flow id and alert; with its context, what ran and what runs next. */
export function approvalView(row: ApprovalRow, exec?: ExecutionRow, context?: ApprovalContext) {
  return {
    id: row.id,
    executionId: row.executionId,
    stepId: row.stepId,
    nodeId: row.nodeId,
    message: row.message,
    status: row.status,
    createdAt: iso(row.createdAt),
    deadlineAt: iso(row.deadlineAt),
    decidedAt: iso(row.decidedAt),
    decidedBy: row.decidedBy,
    comment: row.comment,
    ...(exec ? { flowId: exec.flowId, alert: parse(exec.alert) } : {}),
    ...(context ? { flowName: context.flowName, ran: context.ran, next: context.next } : {}),
  };
}

export function eventView(row: EventRow) {
  return {
    id: row.id,
    receivedAt: iso(row.receivedAt),
    path: row.path,
    headers: parse(row.headers),
    alertCount: row.alertCount,
    executionCount: row.executionCount,
    duplicateCount: row.duplicateCount,
  };
}
