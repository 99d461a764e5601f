import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import { ACTIVE_EXECUTION_STATUSES } from '../../shared/statuses.js';
import type { Db } from './db.js';
import { prepared, preparedTransition, readStep } from './prepared.js';
import { executions, steps, type StepStatus, type WaitReason } from './schema.js';

export type StepRow = typeof steps.$inferSelect;
export type NewStep = typeof steps.$inferInsert;

/** The columns a new step is inserted with (both engines): what the row leaves out starts empty (attempt 0). */
export function newStepValues(row: NewStep) {
  return {
    id: row.id,
    executionId: row.executionId,
    seq: row.seq,
    nodeId: row.nodeId,
    nodeType: row.nodeType,
    parentStepId: row.parentStepId ?? null,
    status: row.status,
    attempt: row.attempt ?? 0,
    port: row.port ?? null,
    input: row.input ?? null,
    config: row.config ?? null,
    output: row.output ?? null,
    error: row.error ?? null,
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? null,
    endedAt: row.endedAt ?? null,
    wakeAt: row.wakeAt ?? null,
    waitReason: row.waitReason ?? null,
    scope: row.scope ?? null,
  };
}

export const stepsRepo = {
  insert(db: Db, row: NewStep): void {
    prepared(db).insertStep.run(newStepValues(row));
  },

  /** The next sequence number inside an execution. */
  nextSeq(db: Db, executionId: string): number {
    const r = prepared(db).maxStepSeq.get({ executionId });
    return (r?.m ?? 0) + 1;
  },

  forExecution(db: Db, executionId: string): StepRow[] {
    return prepared(db).stepsOfExecution.values({ executionId }).map(readStep);
  },

  get(db: Db, id: string): StepRow | undefined {
    return db.select().from(steps).where(eq(steps.id, id)).get();
  },

  /** Updates a step only if it is still in one of `from`; false otherwise. */
  transition(
    db: Db,
    id: string,
    from: readonly StepStatus[],
    set: Partial<Omit<StepRow, 'id' | 'executionId' | 'seq' | 'nodeId' | 'nodeType' | 'createdAt'>>,
  ): boolean {
    const columns = Object.keys(set).filter((k) => (set as Record<string, unknown>)[k] !== undefined).sort();
    const values = Object.fromEntries(columns.map((c) => [c, (set as Record<string, unknown>)[c]]));
    return preparedTransition(db, steps, columns, from).run({ ...values, __id: id }).changes > 0;
  },

  /** Cancels steps not yet started or parked; a step in flight records its own outcome. */
  cancelOpen(db: Db, executionId: string, now: number): void {
    db.update(steps)
      .set({ status: 'cancelled', endedAt: now })
      .where(and(eq(steps.executionId, executionId), inArray(steps.status, ['pending', 'waiting'])))
      .run();
  },

  /** Waiting steps whose wake time has come (delays ending, approvals timing out). */
  due(db: Db, now: number, limit: number): StepRow[] {
    return db
      .select()
      .from(steps)
      .where(and(eq(steps.status, 'waiting'), lte(steps.wakeAt, now)))
      .orderBy(asc(steps.wakeAt))
      .limit(limit)
      .all();
  },

  /** The earliest wake time among waiting steps, to arm the next timer. */
  nextWake(db: Db): number | undefined {
    const r = db
      .select({ w: steps.wakeAt })
      .from(steps)
      .where(eq(steps.status, 'waiting'))
      .orderBy(asc(steps.wakeAt))
      .limit(1)
      .get();
    return r?.w ?? undefined;
  },

  /**
   * Makes the steps of `executionIds` that wait for `reason` due now (the next tick wakes them):
   * e.g. `wait.resolved` steps when their alert's resolution arrives. Returns how many.
   */
  wakeWaiting(db: Db, executionIds: readonly string[], reason: WaitReason, now: number): number {
    if (executionIds.length === 0) return 0;
    return db
      .update(steps)
      .set({ wakeAt: now })
      .where(and(inArray(steps.executionId, [...executionIds]), eq(steps.status, 'waiting'), eq(steps.waitReason, reason)))
      .run().changes;
  },

  /**
   * Steps waiting for one of `reasons` in runs that have not ended and whose alert has resolved
   * (`alertResolvedAt` set): where a node's `onResolved` policy may apply. Ids only: the caller
   * skips the ones it has looked at already, and reads the others.
   */
  waitingInResolvedRuns(db: Db, reasons: readonly WaitReason[]): { id: string; executionId: string }[] {
    return db
      .select({ id: steps.id, executionId: steps.executionId })
      .from(steps)
      .innerJoin(executions, eq(executions.id, steps.executionId))
      .where(
        and(
          eq(steps.status, 'waiting'),
          inArray(steps.waitReason, [...reasons]),
          isNotNull(executions.alertResolvedAt),
          inArray(executions.status, [...ACTIVE_EXECUTION_STATUSES]),
        ),
      )
      .all();
  },

  withStatus(db: Db, status: StepStatus): StepRow[] {
    return db.select().from(steps).where(eq(steps.status, status)).all();
  },
};
