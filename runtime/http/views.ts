import type { LimitName } from '../../shared/flow/limits.js';
import type { Alert } from '../../shared/alert/schema.js';
import type { Approval, Execution, Step } from '../../shared/api-views.js';
import type { EventAlert, EventDetail, EventFlowSummary, EventMatch, EventRoute, EventSummary } from '../../shared/event-log.js';
import type { ApprovalContext } from '../engine/dispatch/approval-context.js';
import { approvalCount, type ApprovalFacts, type Verdict } from '../engine/approvals/rules.js';
import type { EventRow } from '../store/events-repo.js';
import type { ExecutionRow } from '../store/executions-repo.js';
import type { StepRow } from '../store/steps-repo.js';

/**
 * How stored rows look in API responses: ISO times, JSON columns parsed. The shapes are declared
 * once in shared/ (api-views.ts, event-log.ts); the return types here hold these builders to them.
 */

function iso(ms: number): string;
function iso(ms: number | null | undefined): string | null;
function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

/** An execution row as the API shows it. */
export function executionView(row: ExecutionRow): Execution {
  return {
    id: row.id,
    flowId: row.flowId,
    flowRevision: row.flowRevision,
    eventId: row.eventId,
    sourceNodeId: row.sourceNodeId,
    status: row.status,
    error: row.error,
    // Written by ingest from a validated alert; the view does not validate it again.
    alert: parse(row.alert) as Alert,
    createdAt: iso(row.createdAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    deadlineAt: iso(row.deadlineAt),
    /** When a resolved alert with this run's fingerprint arrived for its flow (its endsAt), else null. */
    alertResolvedAt: iso(row.alertResolvedAt),
    parentExecutionId: row.parentExecutionId,
    parentStepId: row.parentStepId,
    callDepth: row.callDepth,
    ...(row.targetKey != null ? { targetKey: row.targetKey } : {}),
    ...(row.heldLimit != null ? { held: { limit: row.heldLimit as LimitName, reason: row.heldReason ?? '', at: row.heldAt ?? row.createdAt } } : {}),
    ...(row.releasedBy != null
      ? { released: { by: row.releasedBy, at: row.releasedAt ?? row.updatedAt, ...(row.releasedComment ? { comment: row.releasedComment } : {}) } }
      : {}),
  };
}

/** A step row as the API shows it. */
export function stepView(row: StepRow): Step {
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
    waitReason: row.waitReason,
    scope: row.scope,
  };
}

/** An approval; with its execution, also the flow id, the alert and when it resolved; with its context, what ran and what runs next. */
export function approvalView(
  facts: Pick<ApprovalFacts, 'approval' | 'rules' | 'decisions'>,
  opts: { exec?: ExecutionRow; context?: ApprovalContext; verdict?: Verdict } = {},
): Approval {
  const { approval: row, rules, decisions } = facts;
  const { exec, context, verdict } = opts;
  const pending = row.status === 'pending';
  // What the caller may do, for a pending approval: approving is what rules restrict most.
  const whyNot = verdict?.approve?.reason;
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
    ...(exec ? { flowId: exec.flowId, alert: parse(exec.alert) as Alert, alertResolvedAt: iso(exec.alertResolvedAt) } : {}),
    ...(context ? { flowName: context.flowName, ran: context.ran, next: context.next } : {}),
    rules,
    decisions: decisions.map((d) => ({ decider: d.decider, name: d.deciderName, decision: d.decision, comment: d.comment, via: d.via, at: iso(d.at) })),
    approvals: { count: approvalCount(decisions), needed: rules.quorum },
    planHash: row.planHash,
    ...(verdict && pending
      ? { youMayDecide: verdict.approve === undefined, youMayReject: verdict.reject === undefined, ...(whyNot ? { whyNot } : {}) }
      : {}),
  };
}

const MAX_IDS_PER_FLOW = 10;

/** Per flow listening on the path: did it authenticate the delivery, and what did it do with each alert. */
function flowSummaries(routes: EventRoute[], matches: EventMatch[]): EventFlowSummary[] {
  const byFlow = new Map<string, EventFlowSummary>();
  const entry = (flowId: string) => {
    let f = byFlow.get(flowId);
    if (!f) {
      f = { flowId, authenticated: false, started: 0, duplicate: 0, notStarted: 0, executionIds: [], duplicateOf: [] };
      byFlow.set(flowId, f);
    }
    return f;
  };
  for (const r of routes) {
    const f = entry(r.flowId);
    if (r.result === 'authenticated') f.authenticated = true;
  }
  for (const m of matches) {
    const f = entry(m.flowId);
    f.authenticated = true;
    if (m.result === 'started' || m.result === 'held') {
      if (m.result === 'held') f.held = (f.held ?? 0) + 1;
      else f.started++;
      if (m.executionId && f.executionIds.length < MAX_IDS_PER_FLOW) f.executionIds.push(m.executionId);
    } else if (m.result === 'duplicate') {
      f.duplicate++;
      if (m.executionId && f.duplicateOf.length < MAX_IDS_PER_FLOW && !f.duplicateOf.includes(m.executionId)) f.duplicateOf.push(m.executionId);
    } else f.notStarted++;
  }
  return [...byFlow.values()];
}

/** One row of the event list (`GET /api/events`). */
/**
 * `visibleFlowIds`: the flows the caller may see (undefined: all). One delivery can reach flows
 * of several teams (they listen on the same path); a team member sees only its own flows' parts.
 */
export function eventView(row: EventRow, visibleFlowIds?: ReadonlySet<string>): EventSummary {
  return eventParts(row, visibleFlowIds).summary;
}

function eventParts(row: EventRow, visibleFlowIds?: ReadonlySet<string>) {
  const visible = (x: { flowId: string }) => !visibleFlowIds || visibleFlowIds.has(x.flowId);
  const routes = (parse(row.routes) as EventRoute[]).filter(visible);
  const matches = (parse(row.matches) as EventMatch[]).filter(visible);
  const alerts = parse(row.alerts) as EventAlert[];
  const summary: EventSummary = {
    id: row.id,
    receivedAt: iso(row.receivedAt),
    path: row.path,
    outcome: row.outcome,
    httpStatus: row.httpStatus,
    sources: parse(row.sources) as string[],
    deliveryId: row.deliveryId,
    reason: row.reason,
    remoteAddress: row.remoteAddress,
    headers: parse(row.headers) as Record<string, string>,
    alertCount: row.alertCount,
    executionCount: row.executionCount,
    duplicateCount: row.duplicateCount,
    notStartedCount: row.notStartedCount,
    suppressedBefore: row.suppressedBefore,
    bodyBytes: row.bodyBytes,
    bodyTruncated: row.bodyTruncated,
    alertNames: [...new Set(alerts.map((a) => a.name))].slice(0, 5),
    flows: flowSummaries(routes, matches),
  };
  return { summary, routes, matches, alerts };
}

/** One event with everything stored about it (`GET /api/events/:id`). */
export function eventDetailView<E>(row: EventRow, executions: E[], visibleFlowIds?: ReadonlySet<string>): EventDetail<E> {
  const { summary, routes, matches, alerts } = eventParts(row, visibleFlowIds);
  return {
    ...summary,
    body: row.body,
    routes,
    alerts,
    matches,
    error: parse(row.error) as EventDetail['error'],
    executions,
  };
}
