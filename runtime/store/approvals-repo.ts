import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { approvalDecisions, approvals, executions, type ApprovalStatus } from './schema.js';

export type ApprovalRow = typeof approvals.$inferSelect;
export type ApprovalDecisionRow = typeof approvalDecisions.$inferSelect;

/** Filters of the approval list (`approvalsRepo.list`, StoreTx `approvals.list`). */
export interface ApprovalListFilter {
  status?: ApprovalStatus;
  executionId?: string;
  /** Only approvals in runs of these flows (a team's view). */
  flowIds?: readonly string[];
  limit: number;
}

export const approvalsRepo = {
  insert(db: Db, row: ApprovalRow): void {
    db.insert(approvals).values(row).run();
  },

  /** Approvals waiting for a decision (the metrics endpoint reads it at each scrape; indexed by status). */
  countPending(db: Db): number {
    return db.select({ n: count() }).from(approvals).where(eq(approvals.status, 'pending')).get()?.n ?? 0;
  },

  get(db: Db, id: string): ApprovalRow | undefined {
    return db.select().from(approvals).where(eq(approvals.id, id)).get();
  },

  forStep(db: Db, stepId: string): ApprovalRow | undefined {
    return db.select().from(approvals).where(eq(approvals.stepId, stepId)).get();
  },

  /** Pending ones by deadline, soonest first; otherwise newest first. `flowIds` limits the list to approvals in runs of those flows (a team's view). */
  list(db: Db, opts: ApprovalListFilter): ApprovalRow[] {
    const conds = [];
    if (opts.flowIds) {
      const runs = db.select({ id: executions.id }).from(executions).where(inArray(executions.flowId, [...opts.flowIds]));
      conds.push(inArray(approvals.executionId, runs));
    }
    if (opts.status) conds.push(eq(approvals.status, opts.status));
    if (opts.executionId) conds.push(eq(approvals.executionId, opts.executionId));
    const order = opts.status === 'pending' ? asc(approvals.deadlineAt) : desc(approvals.createdAt);
    return db
      .select()
      .from(approvals)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(order)
      .limit(opts.limit)
      .all();
  },

  /** Records a decision if the approval is still pending; false if it was already decided. */
  decide(
    db: Db,
    id: string,
    set: { status: Exclude<ApprovalStatus, 'pending'>; decidedAt: number; decidedBy: string; comment: string | null },
  ): boolean {
    return (
      db
        .update(approvals)
        .set(set)
        .where(and(eq(approvals.id, id), eq(approvals.status, 'pending')))
        .run().changes > 0
    );
  },

  /** Records one person's decision; false if they already decided this approval (nothing written). */
  insertDecision(db: Db, row: ApprovalDecisionRow): boolean {
    return db.insert(approvalDecisions).values(row).onConflictDoNothing().run().changes > 0;
  },

  /** The decisions on one approval, oldest first. */
  decisionsFor(db: Db, approvalId: string): ApprovalDecisionRow[] {
    return db.select().from(approvalDecisions).where(eq(approvalDecisions.approvalId, approvalId)).orderBy(asc(approvalDecisions.at)).all();
  },

  /** The decisions on several approvals (a list), grouped by approval, oldest first. */
  decisionsForMany(db: Db, approvalIds: readonly string[]): Map<string, ApprovalDecisionRow[]> {
    const byApproval = new Map<string, ApprovalDecisionRow[]>();
    if (approvalIds.length === 0) return byApproval;
    const rows = db
      .select()
      .from(approvalDecisions)
      .where(inArray(approvalDecisions.approvalId, [...approvalIds]))
      .orderBy(asc(approvalDecisions.at))
      .all();
    for (const row of rows) byApproval.set(row.approvalId, [...(byApproval.get(row.approvalId) ?? []), row]);
    return byApproval;
  },

  /** Cancels the pending approvals of an execution (it was cancelled or timed out). */
  cancelForExecution(db: Db, executionId: string, now: number): void {
    db.update(approvals)
      .set({ status: 'cancelled', decidedAt: now, decidedBy: 'salve' })
      .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')))
      .run();
  },
};
