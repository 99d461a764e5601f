import { and, asc, eq, exists, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { eventRef } from '../events-repo.js';
import type { OutcomeFilter, OutcomeRows } from '../outcomes-repo.js';
import * as schema from './schema.js';

const { approvalDecisions, approvals, eventRefs, events, executions, flows, steps } = schema;

/** Ids compared by bytes, as SQLite compares text (see `byFlowId` in tx.ts). */
const bytes = (column: AnyPgColumn) => sql`${column} collate "C"`;

/**
 * One field of the run's stored alert, as SQLite's json_extract gives it for the string fields
 * the report reads: the value as text, null when the field is missing or null. `->>` on `json`
 * (not jsonb) reads the text as stored, as SQLite does.
 */
const alertField = (field: 'startsAt' | 'name' | 'source') => sql<string | null>`(${executions.alert}::json ->> ${sql.raw(`'${field}'`)})`;

/**
 * The PostgreSQL side of StoreTx `outcomes.rows`: the same queries as outcomesRepo.rows
 * (runtime/store/outcomes-repo.ts), the same filters and the same order, ids compared by bytes.
 * Computed bigint values (a step's time, a decision count) are read back as numbers.
 */
export async function outcomeRowsPostgres(db: NodePgDatabase<typeof schema>, f: OutcomeFilter): Promise<OutcomeRows> {
  const runConds: SQL[] = [gte(executions.createdAt, f.since), lte(executions.createdAt, f.until)];
  if (f.flowId !== undefined) runConds.push(eq(executions.flowId, f.flowId));
  if (f.flowIds) runConds.push(inArray(executions.flowId, [...f.flowIds]));
  const runIds = db.select({ id: executions.id }).from(executions).where(and(...runConds));

  const runs = await db
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
      eventPath: sql<string | null>`(select e.path from ${events} as e where e.id = ${executions.eventId})`,
      fingerprint: executions.fingerprint,
      alertStartsAt: alertField('startsAt'),
      alertName: alertField('name'),
      alertSource: alertField('source'),
    })
    .from(executions)
    .where(and(...runConds))
    .orderBy(asc(executions.createdAt), bytes(executions.id));

  const stepAt = sql<number>`coalesce(${steps.endedAt}, ${steps.createdAt})`.mapWith(Number);
  const failedSteps = await db
    .select({ executionId: steps.executionId, nodeId: steps.nodeId, nodeType: steps.nodeType, error: steps.error, at: stepAt })
    .from(steps)
    .where(and(inArray(steps.executionId, runIds), inArray(steps.status, ['failed', 'unknown'])))
    .orderBy(asc(stepAt), bytes(steps.executionId), asc(steps.seq));

  const stepIds = db.select({ id: steps.id }).from(steps).where(inArray(steps.executionId, runIds));
  const approvalRows = await db
    .select({
      executionId: approvals.executionId,
      status: approvals.status,
      createdAt: approvals.createdAt,
      decidedAt: approvals.decidedAt,
      decisions: sql<number>`(select count(*) from ${approvalDecisions} as d where d.approval_id = ${approvals.id})`.mapWith(Number),
    })
    .from(approvals)
    .where(inArray(approvals.stepId, stepIds))
    .orderBy(bytes(approvals.id));

  const eventConds: SQL[] = [gte(events.receivedAt, f.since), lte(events.receivedAt, f.until), inArray(events.outcome, ['accepted', 'duplicate', 'ignored'])];
  // A flow filter never widens the view: a flow outside `flowIds` gives no events.
  const scope = f.flowId === undefined ? f.flowIds : f.flowIds && !f.flowIds.includes(f.flowId) ? [] : [f.flowId];
  const refs = scope?.map(eventRef.flow);
  if (refs) {
    eventConds.push(
      refs.length === 0
        ? sql`false`
        : exists(db.select({ one: sql`1` }).from(eventRefs).where(and(eq(eventRefs.eventId, events.id), inArray(eventRefs.ref, refs)))),
    );
  }
  const eventRows = await db
    .select({ id: events.id, receivedAt: events.receivedAt, path: events.path, alerts: events.alerts, matches: events.matches })
    .from(events)
    .where(and(...eventConds))
    .orderBy(asc(events.receivedAt), bytes(events.id));

  const flowRows = await db.select({ id: flows.id, name: flows.name }).from(flows).orderBy(bytes(flows.id));
  return { runs, failedSteps, approvals: approvalRows, events: eventRows, flowNames: new Map(flowRows.map((r) => [r.id, r.name])) };
}
