import { and, desc, eq, gte, lt, lte, max } from 'drizzle-orm';
import type { Db } from './db.js';
import { scheduleTicks } from './schema.js';

export type ScheduleTickRow = typeof scheduleTicks.$inferSelect;
export type NewScheduleTick = typeof scheduleTicks.$inferInsert;

const of = (flowId: string, nodeId: string) => and(eq(scheduleTicks.flowId, flowId), eq(scheduleTicks.nodeId, nodeId));

/** The `schedule_ticks` table: what became of each tick of each schedule. */
export const scheduleTicksRepo = {
  /** Inserts unless a row for this tick exists; true when inserted. */
  insert(db: Db, row: NewScheduleTick): boolean {
    return db.insert(scheduleTicks).values(row).onConflictDoNothing().run().changes > 0;
  },

  /** The latest tick handled (started or skipped), or undefined for a schedule never seen. */
  latestTickAt(db: Db, flowId: string, nodeId: string): number | undefined {
    return db.select({ at: max(scheduleTicks.tickAt) }).from(scheduleTicks).where(of(flowId, nodeId)).get()?.at ?? undefined;
  },

  /** Whether a row covers the tick at `tickAt` (its own, or a stretch of skipped ticks around it). */
  covers(db: Db, flowId: string, nodeId: string, tickAt: number): boolean {
    return (
      db
        .select({ at: scheduleTicks.tickAt })
        .from(scheduleTicks)
        .where(and(of(flowId, nodeId), gte(scheduleTicks.tickAt, tickAt), lte(scheduleTicks.firstTickAt, tickAt)))
        .limit(1)
        .get() !== undefined
    );
  },

  /** The newest row of a schedule. */
  latest(db: Db, flowId: string, nodeId: string): ScheduleTickRow | undefined {
    return db.select().from(scheduleTicks).where(of(flowId, nodeId)).orderBy(desc(scheduleTicks.tickAt)).limit(1).get();
  },

  /** The newest tick that started a run. */
  lastStarted(db: Db, flowId: string, nodeId: string): ScheduleTickRow | undefined {
    return db
      .select()
      .from(scheduleTicks)
      .where(and(of(flowId, nodeId), eq(scheduleTicks.status, 'started')))
      .orderBy(desc(scheduleTicks.tickAt))
      .limit(1)
      .get();
  },

  /** Makes the stretch ending at `fromTickAt` end at `toTickAt`, one tick longer. */
  extend(db: Db, flowId: string, nodeId: string, fromTickAt: number, toTickAt: number, recordedAt: number): boolean {
    const row = db.select({ count: scheduleTicks.count }).from(scheduleTicks).where(and(of(flowId, nodeId), eq(scheduleTicks.tickAt, fromTickAt))).get();
    if (!row) return false;
    return (
      db
        .update(scheduleTicks)
        .set({ tickAt: toTickAt, count: row.count + 1, recordedAt })
        .where(and(of(flowId, nodeId), eq(scheduleTicks.tickAt, fromTickAt)))
        .run().changes > 0
    );
  },

  /** Forgets a schedule's rows for ticks before `before` (kept for two weeks). */
  prune(db: Db, flowId: string, nodeId: string, before: number): void {
    db.delete(scheduleTicks).where(and(of(flowId, nodeId), lt(scheduleTicks.tickAt, before))).run();
  },

  /** A flow's rows, newest first (every schedule node of it). */
  forFlow(db: Db, flowId: string, limit: number): ScheduleTickRow[] {
    return db.select().from(scheduleTicks).where(eq(scheduleTicks.flowId, flowId)).orderBy(desc(scheduleTicks.tickAt)).limit(limit).all();
  },
};
