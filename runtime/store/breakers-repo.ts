import { eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { flowBreakers } from './schema.js';

export type BreakerRow = typeof flowBreakers.$inferSelect;

/** One run whose ending counted towards tripping a flow's circuit breaker. */
export interface BreakerFailure {
  executionId: string;
  status: string;
  endedAt: number;
}

/** Circuit breakers of flows (`limits.breaker`): a row once a flow's breaker tripped. */
export const breakersRepo = {
  get(db: Db, flowId: string): BreakerRow | undefined {
    return db.select().from(flowBreakers).where(eq(flowBreakers.flowId, flowId)).get();
  },

  /** Whether the flow's breaker is tripped now. */
  isTripped(db: Db, flowId: string): boolean {
    return this.get(db, flowId)?.trippedAt != null;
  },

  /** Trips the flow's breaker with the runs that tripped it (kept until the next trip). */
  trip(db: Db, flowId: string, failures: readonly BreakerFailure[], now: number): void {
    const failuresJson = JSON.stringify(failures);
    db.insert(flowBreakers)
      .values({ flowId, trippedAt: now, failures: failuresJson })
      .onConflictDoUpdate({ target: flowBreakers.flowId, set: { trippedAt: now, failures: failuresJson } })
      .run();
  },

  /** Closes a tripped breaker; false when it was not tripped. */
  reset(db: Db, flowId: string, by: string, now: number): boolean {
    return (
      db
        .update(flowBreakers)
        .set({ trippedAt: null, resetBy: by, resetAt: now })
        .where(sql`${flowBreakers.flowId} = ${flowId} and ${flowBreakers.trippedAt} is not null`)
        .run().changes > 0
    );
  },

  /** The tripped breakers, by flow id: their trip times (the flow list and the metrics gauge). */
  tripped(db: Db): Map<string, number> {
    const rows = db.select({ flowId: flowBreakers.flowId, trippedAt: flowBreakers.trippedAt }).from(flowBreakers).where(isNotNull(flowBreakers.trippedAt)).all();
    return new Map(rows.map((r) => [r.flowId, r.trippedAt!]));
  },

  /** A deleted flow takes its breaker with it (a flow re-created with the same id starts closed). */
  delete(db: Db, flowId: string): void {
    db.delete(flowBreakers).where(eq(flowBreakers.flowId, flowId)).run();
  },
};

/** The failures column as stored. */
export function breakerFailures(row: BreakerRow): BreakerFailure[] {
  try {
    const parsed: unknown = JSON.parse(row.failures);
    return Array.isArray(parsed) ? (parsed as BreakerFailure[]) : [];
  } catch {
    return [];
  }
}
