import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { ACTIVE_EXECUTION_STATUSES, TERMINAL_EXECUTION_STATUSES } from '../../shared/statuses.js';
import type { Db } from './db.js';
import { prepared, preparedTransition, readExecution } from './prepared.js';
import { afterRunTasks, approvalDecisions, approvalLinks, approvals, executions, steps, type ExecutionStatus } from './schema.js';
import { alias } from 'drizzle-orm/sqlite-core';
import { noteExecutionEnded, noteExecutionHeld, wantsEnd } from './execution-ends.js';

export type ExecutionRow = typeof executions.$inferSelect;
export type NewExecution = typeof executions.$inferInsert;

/** Filters of the run list (`executionsRepo.list`, StoreTx `executions.list`); `before` is an id cursor. */
export interface ExecutionListFilter {
  flowId?: string;
  /** Only runs of these flows (a team's view). */
  flowIds?: readonly string[];
  status?: ExecutionStatus;
  limit: number;
  before?: string;
}

/**
 * The columns a new execution is inserted with (both engines): a new run is never released,
 * finished or leased yet, so those columns start empty whatever the row says.
 */
export function newExecutionValues(row: NewExecution) {
  return {
    id: row.id,
    flowId: row.flowId,
    flowRevision: row.flowRevision,
    eventId: row.eventId,
    sourceNodeId: row.sourceNodeId,
    dedupKey: row.dedupKey,
    alert: row.alert,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deadlineAt: row.deadlineAt,
    fingerprint: row.fingerprint ?? '',
    parentExecutionId: row.parentExecutionId ?? null,
    parentStepId: row.parentStepId ?? null,
    callDepth: row.callDepth ?? 0,
    input: row.input ?? null,
    startedBy: row.startedBy ?? null,
    targetKey: row.targetKey ?? null,
    heldLimit: row.heldLimit ?? null,
    heldReason: row.heldReason ?? null,
    heldAt: row.heldAt ?? null,
  };
}

/** Not a held run that stayed held (or was cancelled while held): it counts against the limits. */
const admitted = or(isNull(executions.heldAt), isNotNull(executions.releasedAt));

export const executionsRepo = {
  /** Inserts unless the same flow already has this dedup key; true when inserted. */
  insertIfNew(db: Db, row: NewExecution): boolean {
    const inserted = prepared(db).insertExecution.run(newExecutionValues(row)).changes > 0;
    if (inserted && row.status === 'held') noteExecutionHeld(db, row.flowId, row.heldLimit ?? 'unknown');
    return inserted;
  },

  get(db: Db, id: string): ExecutionRow | undefined {
    const raw = prepared(db).executionById.values({ id })[0];
    return raw && readExecution(raw);
  },

  /** The execution that already handled this dedup key in this flow, if any. */
  idByDedupKey(db: Db, flowId: string, dedupKey: string): string | undefined {
    return prepared(db).executionIdByDedup.get({ flowId, dedupKey })?.id;
  },

  /**
   * A resolved alert arrived: sets `alertResolvedAt` on this flow's executions with the same
   * fingerprint that have none yet. Returns their ids.
   */
  markAlertResolved(db: Db, flowId: string, fingerprint: string, at: number): string[] {
    if (fingerprint === '') return [];
    return db
      .update(executions)
      .set({ alertResolvedAt: at })
      .where(and(eq(executions.flowId, flowId), eq(executions.fingerprint, fingerprint), isNull(executions.alertResolvedAt)))
      .returning({ id: executions.id })
      .all()
      .map((r) => r.id);
  },

  /**
   * The newest runs of a flow for an alert fingerprint that an alert started (not a person, a
   * schedule or a calling flow), newest first: what flap protection compares a new firing with.
   */
  latestAlertRuns(db: Db, flowId: string, fingerprint: string, limit: number): ExecutionRow[] {
    if (fingerprint === '') return [];
    return db
      .select()
      .from(executions)
      .where(and(eq(executions.flowId, flowId), eq(executions.fingerprint, fingerprint), isNull(executions.startedBy), isNull(executions.parentExecutionId)))
      .orderBy(desc(executions.createdAt), desc(executions.id))
      .limit(limit)
      .all();
  },

  /** Newest first (by id), filtered; `before` is an id cursor from the previous page; `flowIds` limits the list to those flows' runs (a team's view). */
  list(db: Db, opts: ExecutionListFilter): ExecutionRow[] {
    const conds = [];
    if (opts.flowId) conds.push(eq(executions.flowId, opts.flowId));
    if (opts.flowIds) conds.push(inArray(executions.flowId, [...opts.flowIds]));
    if (opts.status) conds.push(eq(executions.status, opts.status));
    if (opts.before) conds.push(lt(executions.id, opts.before));
    return db
      .select()
      .from(executions)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(executions.id))
      .limit(opts.limit)
      .all();
  },

  // --- Guard rails (runtime/engine/limits). A run "counts" unless it is held and was never
  // released: a held run that was cancelled did nothing, a released one ran like any other.

  /** How many runs of the flow that count were created at or after `since`. */
  countAdmittedSince(db: Db, flowId: string, since: number): number {
    return (
      db
        .select({ n: sql<number>`count(*)` })
        .from(executions)
        .where(and(eq(executions.flowId, flowId), gte(executions.createdAt, since), admitted))
        .get()?.n ?? 0
    );
  },

  /** The newest run of the flow that counts with this target key, created at or after `since`. */
  lastAdmittedForTarget(db: Db, flowId: string, targetKey: string, since: number): { id: string; createdAt: number } | undefined {
    return db
      .select({ id: executions.id, createdAt: executions.createdAt })
      .from(executions)
      .where(and(eq(executions.flowId, flowId), eq(executions.targetKey, targetKey), gte(executions.createdAt, since), admitted))
      .orderBy(desc(executions.createdAt))
      .limit(1)
      .get();
  },

  /** Active (queued, running, waiting) runs of the flow with this target key. */
  countActiveForTarget(db: Db, flowId: string, targetKey: string): number {
    return (
      db
        .select({ n: sql<number>`count(*)` })
        .from(executions)
        .where(and(eq(executions.flowId, flowId), eq(executions.targetKey, targetKey), inArray(executions.status, [...ACTIVE_EXECUTION_STATUSES])))
        .get()?.n ?? 0
    );
  },

  /** The distinct target keys of the flow's runs that count, created at or after `since` (at most `limit`). */
  targetsSince(db: Db, flowId: string, since: number, limit: number): string[] {
    return db
      .selectDistinct({ key: executions.targetKey })
      .from(executions)
      .where(and(eq(executions.flowId, flowId), gte(executions.createdAt, since), isNotNull(executions.targetKey), admitted))
      .limit(limit)
      .all()
      .map((r) => r.key!);
  },

  /** The flow's runs that ended in one of `statuses` at or after `since`, oldest first. */
  endedSince(db: Db, flowId: string, statuses: readonly ExecutionStatus[], since: number): { id: string; status: ExecutionStatus; finishedAt: number }[] {
    return db
      .select({ id: executions.id, status: executions.status, finishedAt: executions.finishedAt })
      .from(executions)
      .where(and(eq(executions.flowId, flowId), gte(executions.finishedAt, since), inArray(executions.status, [...statuses])))
      .orderBy(asc(executions.finishedAt))
      .all()
      .map((r) => ({ id: r.id, status: r.status, finishedAt: r.finishedAt! }));
  },

  /** A held run goes to the queue, released by a person: false if it was not held. */
  release(db: Db, id: string, by: string, comment: string | null, now: number, deadlineAt: number): boolean {
    return (
      db
        .update(executions)
        .set({ status: 'queued', releasedBy: by, releasedAt: now, releasedComment: comment, updatedAt: now, deadlineAt })
        .where(and(eq(executions.id, id), eq(executions.status, 'held')))
        .run().changes > 0
    );
  },

  countByStatus(db: Db, status: ExecutionStatus): number {
    return prepared(db).countByStatus.get({ status })?.n ?? 0;
  },

  /** Ids of the oldest queued executions not in `exclude`. */
  nextQueued(db: Db, limit: number, exclude: ReadonlySet<string>): string[] {
    const rows = prepared(db).queuedIds.all({ limit: limit + exclude.size });
    return rows.map((r) => r.id).filter((id) => !exclude.has(id)).slice(0, limit);
  },

  /** Moves an execution from one status to another; false if it was not in `from`. */
  transition(
    db: Db,
    id: string,
    from: readonly ExecutionStatus[],
    set: Partial<Pick<ExecutionRow, 'status' | 'error' | 'startedAt' | 'finishedAt' | 'deadlineAt' | 'waitStartedAt' | 'leaseOwner' | 'leaseUntil'>> & {
      updatedAt: number;
    },
  ): boolean {
    const values = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
    const columns = Object.keys(values).sort();
    const moved = preparedTransition(db, executions, columns, from).run({ ...values, __id: id }).changes > 0;
    // Metrics count runs that ended, once the change commits (a read only while someone listens).
    if (moved && set.status && wantsEnd(db, set.status)) {
      const flowId = prepared(db).executionFlowId.get({ id })?.flowId;
      if (flowId !== undefined) noteExecutionEnded(db, flowId, set.status);
    }
    return moved;
  },

  /** Executions past their deadline that are not parked on an approval. */
  pastDeadline(db: Db, now: number): ExecutionRow[] {
    // Read from executions_deadline_idx (named: left to itself the planner reads every queued
    // run through executions_status_idx), whose condition this spells out; usually no row.
    const due = db
      .select({ id: sql<string>`${executions.id}` })
      .from(sql`${executions} indexed by executions_deadline_idx`)
      .where(sql`${executions.status} in ('running', 'waiting', 'queued') and ${executions.waitStartedAt} is null and ${executions.deadlineAt} <= ${now}`)
      .all();
    return due.flatMap(({ id }) => executionsRepo.get(db, id) ?? []);
  },

  withStatus(db: Db, status: ExecutionStatus): ExecutionRow[] {
    return db.select().from(executions).where(eq(executions.status, status)).all();
  },

  /** Executions created for one event (for the ingest response and the event log). */
  forEvent(db: Db, eventId: string): ExecutionRow[] {
    return db.select().from(executions).where(eq(executions.eventId, eventId)).orderBy(asc(executions.id)).all();
  },

  /** The runs `flow.call` steps of execution `parentId` started, oldest first. */
  children(db: Db, parentId: string): ExecutionRow[] {
    return db.select().from(executions).where(eq(executions.parentExecutionId, parentId)).orderBy(asc(executions.id)).all();
  },

  /** Executions per flow and status among `statuses` (the metrics endpoint reads the active ones at each scrape). */
  countsByFlowAndStatus(db: Db, statuses: readonly ExecutionStatus[]): { flowId: string; status: ExecutionStatus; n: number }[] {
    return db
      .select({ flowId: executions.flowId, status: executions.status, n: sql<number>`count(*)` })
      .from(executions)
      .where(inArray(executions.status, [...statuses]))
      .groupBy(executions.flowId, executions.status)
      .all();
  },

  /** Statistics for the health endpoint. */
  statusCounts(db: Db): Record<string, number> {
    const rows = db
      .select({ status: executions.status, n: sql<number>`count(*)` })
      .from(executions)
      .groupBy(executions.status)
      .all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  },

  /**
   * Deletes up to `batch` executions that ended (a terminal status) before `cutoff`, with their
   * steps, approvals, approval decisions and used approval links; returns how many executions went.
   * A run still `held` (a guard rail stopped it and nobody released it) created before `cutoff`
   * goes the same way. Queued, running and waiting runs are never deleted, and neither is a finished run whose
   * `flow.call` child is still active (the child reports back to it). Call inside one write.
   */
  deleteFinishedBefore(db: Db, cutoff: number, batch: number): number {
    const child = alias(executions, 'child');
    const ids = db
      .select({ id: executions.id })
      .from(executions)
      .where(
        and(
          // created_at is indexed and never later than the end: it narrows the scan first.
          lt(executions.createdAt, cutoff),
          lt(sql`coalesce(${executions.finishedAt}, ${executions.updatedAt})`, cutoff),
          // A held run never released is deleted like a finished one: nobody acted on it in time.
          inArray(executions.status, [...TERMINAL_EXECUTION_STATUSES, 'held']),
          notExists(
            db
              .select({ one: sql`1` })
              .from(child)
              .where(and(eq(child.parentExecutionId, executions.id), inArray(child.status, [...ACTIVE_EXECUTION_STATUSES]))),
          ),
        ),
      )
      .orderBy(asc(executions.createdAt))
      .limit(batch)
      .all()
      .map((r) => r.id);
    if (ids.length === 0) return 0;
    // Approvals are found through their step (approvals_step_idx), decisions through their approval.
    const stepIds = db.select({ id: steps.id }).from(steps).where(inArray(steps.executionId, ids));
    const approvalIds = db.select({ id: approvals.id }).from(approvals).where(inArray(approvals.stepId, stepIds));
    db.delete(approvalDecisions).where(inArray(approvalDecisions.approvalId, approvalIds)).run();
    db.delete(approvalLinks).where(inArray(approvalLinks.executionId, ids)).run();
    db.delete(approvals).where(inArray(approvals.stepId, stepIds)).run();
    db.delete(steps).where(inArray(steps.executionId, ids)).run();
    // Normally gone long before (done or given up within a day); a scan, as the table stays small.
    db.delete(afterRunTasks).where(inArray(afterRunTasks.executionId, ids)).run();
    db.delete(executions).where(inArray(executions.id, ids)).run();
    return ids.length;
  },
};
