import { and, asc, eq, exists, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { ExecutionStatus } from '../../shared/statuses.js';
import type { Db } from './db.js';
import { eventRef } from './events-repo.js';
import { approvalDecisions, approvals, eventRefs, events, executions, flows, steps } from './schema.js';

/**
 * The rows the outcomes report (runtime/engine/reports/outcomes.ts) is computed from, read in a
 * few plain queries over one bounded time range: runs created in it (executions_created_idx),
 * their failed steps (steps_exec_seq_idx), their approvals (through their steps:
 * approvals_step_idx) and the deliveries received in it (events_received_idx).
 *
 * Each list comes in a fixed order, ids breaking ties: the report keeps the first run or delivery
 * of an incident and the last of a step's failures at the same time, so the rows must come out
 * the same whatever the query plan, and on both engines (PostgreSQL: runtime/store/pg/outcomes.ts).
 */

/** What the report reads of a run. */
export interface OutcomeRunRow {
  id: string;
  flowId: string;
  status: ExecutionStatus;
  createdAt: number;
  finishedAt: number | null;
  alertResolvedAt: number | null;
  callDepth: number;
  startedBy: string | null;
  /** The guard rail that held it when it was created (`breaker`: the tripped circuit breaker); null when it never was. */
  heldLimit: string | null;
  /** When a person released it (held runs only). */
  releasedAt: number | null;
  /** The path of the run's event (a hook path for webhook deliveries); null when the event is gone. */
  eventPath: string | null;
  fingerprint: string;
  /** From the stored alert: its start (RFC 3339), name and source type. */
  alertStartsAt: string | null;
  alertName: string | null;
  alertSource: string | null;
}

interface OutcomeStepRow {
  executionId: string;
  nodeId: string;
  nodeType: string;
  error: string | null;
  /** When it ended (its creation when it never did). */
  at: number;
}

export interface OutcomeApprovalRow {
  executionId: string;
  status: string;
  createdAt: number;
  decidedAt: number | null;
  /** Decisions people recorded on it (a quorum takes several). */
  decisions: number;
}

interface OutcomeEventRow {
  id: string;
  receivedAt: number;
  path: string;
  /** JSON as stored: the normalized alerts and the per-flow matches. */
  alerts: string;
  matches: string;
}

export interface OutcomeRows {
  runs: OutcomeRunRow[];
  failedSteps: OutcomeStepRow[];
  approvals: OutcomeApprovalRow[];
  events: OutcomeEventRow[];
  flowNames: Map<string, string>;
}

export interface OutcomeFilter {
  since: number;
  /** Inclusive. */
  until: number;
  flowId?: string;
  /** Visibility: only these flows (a team's view); undefined: every flow. */
  flowIds?: readonly string[];
}

export const outcomesRepo = {
  /** Every row the report needs for `f`; the caller keeps the range bounded (90 days at most). */
  rows(db: Db, f: OutcomeFilter): OutcomeRows {
    const runConds: SQL[] = [gte(executions.createdAt, f.since), lte(executions.createdAt, f.until)];
    if (f.flowId !== undefined) runConds.push(eq(executions.flowId, f.flowId));
    if (f.flowIds) runConds.push(inArray(executions.flowId, [...f.flowIds]));
    const runIds = db.select({ id: executions.id }).from(executions).where(and(...runConds));

    const runs = db
      .select({
        id: executions.id,
        flowId: executions.flowId,
        status: executions.status,
        createdAt: executions.createdAt,
        finishedAt: executions.finishedAt,
        alertResolvedAt: executions.alertResolvedAt,
        callDepth: executions.callDepth,
        startedBy: executions.startedBy,
        heldLimit: executions.heldLimit,
        releasedAt: executions.releasedAt,
        eventPath: sql<string | null>`(select ${events.path} from ${events} where ${events.id} = ${executions.eventId})`,
        fingerprint: executions.fingerprint,
        alertStartsAt: sql<string | null>`json_extract(${executions.alert}, '$.startsAt')`,
        alertName: sql<string | null>`json_extract(${executions.alert}, '$.name')`,
        alertSource: sql<string | null>`json_extract(${executions.alert}, '$.source')`,
      })
      .from(executions)
      .where(and(...runConds))
      .orderBy(asc(executions.createdAt), asc(executions.id))
      .all();

    const stepAt = sql<number>`coalesce(${steps.endedAt}, ${steps.createdAt})`;
    const failedSteps = db
      .select({ executionId: steps.executionId, nodeId: steps.nodeId, nodeType: steps.nodeType, error: steps.error, at: stepAt })
      .from(steps)
      .where(and(inArray(steps.executionId, runIds), inArray(steps.status, ['failed', 'unknown'])))
      .orderBy(asc(stepAt), asc(steps.executionId), asc(steps.seq))
      .all();

    const stepIds = db.select({ id: steps.id }).from(steps).where(inArray(steps.executionId, runIds));
    const approvalRows = db
      .select({
        executionId: approvals.executionId,
        status: approvals.status,
        createdAt: approvals.createdAt,
        decidedAt: approvals.decidedAt,
        decisions: sql<number>`(select count(*) from ${approvalDecisions} where ${approvalDecisions.approvalId} = ${approvals.id})`,
      })
      .from(approvals)
      .where(inArray(approvals.stepId, stepIds))
      .orderBy(asc(approvals.id))
      .all();

    const eventConds: SQL[] = [
      gte(events.receivedAt, f.since),
      lte(events.receivedAt, f.until),
      inArray(events.outcome, ['accepted', 'duplicate', 'ignored']),
    ];
    // A flow filter never widens the view: a flow outside `flowIds` gives no events.
    const scope = f.flowId === undefined ? f.flowIds : f.flowIds && !f.flowIds.includes(f.flowId) ? [] : [f.flowId];
    const refs = scope?.map(eventRef.flow);
    if (refs) {
      eventConds.push(
        refs.length === 0
          ? sql`0`
          : exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.eventId, events.id), inArray(eventRefs.ref, refs)))),
      );
    }
    const eventRows = db
      .select({ id: events.id, receivedAt: events.receivedAt, path: events.path, alerts: events.alerts, matches: events.matches })
      .from(events)
      .where(and(...eventConds))
      .orderBy(asc(events.receivedAt), asc(events.id))
      .all();

    const flowRows = db.select({ id: flows.id, name: flows.name }).from(flows).orderBy(asc(flows.id)).all();
    return { runs, failedSteps, approvals: approvalRows, events: eventRows, flowNames: new Map(flowRows.map((r) => [r.id, r.name])) };
  },
};
