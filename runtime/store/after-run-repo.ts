import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import { afterRunTasks } from './schema.js';

export type AfterRunTaskRow = typeof afterRunTasks.$inferSelect;

/** A task as the step's success writes it. */
export interface NewAfterRunTask {
  stepId: string;
  executionId: string;
  nextAt: number;
  createdAt: number;
}

/**
 * Work left for after a run ends (schema.ts `afterRunTasks`): written with the step's success,
 * taken once the run has ended, deleted when done. The table holds only what is still to do, so
 * it stays small and its queries need no index on the execution.
 */
export const afterRunRepo = {
  /** A step that succeeded again (re-run after a crash) already has its task: kept as it is. */
  insert(db: Db, row: NewAfterRunTask): void {
    db.insert(afterRunTasks).values(row).onConflictDoNothing().run();
  },

  /** Tasks whose run has ended and whose time has come, earliest first, at most `limit`. */
  due(db: Db, now: number, limit: number): AfterRunTaskRow[] {
    return prepared(db)
      .afterRunDue.all({ now, limit })
      .map((r) => r.task);
  },

  /** Takes a due task until `until` (another process leaves it alone meanwhile); false when someone else took it. */
  claim(db: Db, stepId: string, now: number, until: number): boolean {
    return db.update(afterRunTasks).set({ nextAt: until }).where(and(eq(afterRunTasks.stepId, stepId), lte(afterRunTasks.nextAt, now))).run().changes > 0;
  },

  /** A try failed: counted, with why, and tried again at `nextAt`. */
  retryLater(db: Db, stepId: string, nextAt: number, error: string): void {
    db.update(afterRunTasks)
      .set({ attempts: sql`${afterRunTasks.attempts} + 1`, nextAt, lastError: error })
      .where(eq(afterRunTasks.stepId, stepId))
      .run();
  },

  /** Done, or given up: the task is gone. */
  remove(db: Db, stepId: string): void {
    db.delete(afterRunTasks).where(eq(afterRunTasks.stepId, stepId)).run();
  },
};
