import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { authFailures } from './schema.js';

export type AuthFailureRow = typeof authFailures.$inferSelect;

/** Reads and writes of failed-credential counters (runtime/http/rate-limit.ts keeps them in memory too). */
export const authFailuresRepo = {
  /** The windows of keys starting with `prefix` still open at `now`, the latest-ending first (then by key), at most `limit`. */
  live(db: Db, prefix: string, now: number, limit: number): AuthFailureRow[] {
    return db
      .select()
      .from(authFailures)
      .where(and(sql`substr(${authFailures.key}, 1, ${prefix.length}) = ${prefix}`, gt(authFailures.windowEndsAt, now)))
      .orderBy(desc(authFailures.windowEndsAt), asc(authFailures.key))
      .limit(limit)
      .all();
  },

  /** Stores one key's window as it is now (insert or replace). */
  save(db: Db, row: AuthFailureRow): void {
    db.insert(authFailures)
      .values(row)
      .onConflictDoUpdate({ target: authFailures.key, set: { failures: row.failures, windowEndsAt: row.windowEndsAt } })
      .run();
  },

  /**
   * Counts one failure for `key` in one statement, so processes counting at once on a shared
   * database never lose a count: a new window of `windowMs` starts when there is none or it ended
   * by `now`. Returns the window as it is after this failure.
   */
  count(db: Db, key: string, now: number, windowMs: number): AuthFailureRow {
    const open = sql`${authFailures.windowEndsAt} > ${now}`;
    return db
      .insert(authFailures)
      .values({ key, failures: 1, windowEndsAt: now + windowMs })
      .onConflictDoUpdate({
        target: authFailures.key,
        set: {
          failures: sql`case when ${open} then ${authFailures.failures} + 1 else 1 end`,
          windowEndsAt: sql`case when ${open} then ${authFailures.windowEndsAt} else ${now + windowMs} end`,
        },
      })
      .returning()
      .get();
  },

  delete(db: Db, key: string): void {
    db.delete(authFailures).where(eq(authFailures.key, key)).run();
  },

  /** Deletes every window that ended at or before `now`; returns how many. */
  deleteEnded(db: Db, now: number): number {
    return db.delete(authFailures).where(lte(authFailures.windowEndsAt, now)).run().changes;
  },
};
