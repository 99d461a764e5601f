import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import { executions } from './schema.js';

/**
 * Execution leases: a `running` execution belongs to the runner whose `lease_owner` it carries
 * until `lease_until`. Owners renew while they run; an execution whose lease has ended has no
 * live runner and is adopted again (engine/leases.ts).
 */
export const leasesRepo = {
  /** Extends `owner`'s leases on these running executions to `until`; returns how many it still held. */
  renew(db: Db, owner: string, ids: readonly string[], until: number): number {
    if (ids.length === 0) return 0;
    let renewed = 0;
    // Chunks keep the statement under SQLite's variable limit whatever the concurrency.
    for (let i = 0; i < ids.length; i += 500) {
      renewed += db
        .update(executions)
        .set({ leaseUntil: until })
        .where(and(eq(executions.leaseOwner, owner), eq(executions.status, 'running'), inArray(executions.id, ids.slice(i, i + 500))))
        .run().changes;
    }
    return renewed;
  },

  /** Running executions whose lease has ended at `now` (or that never had one), oldest lease first. */
  expired(db: Db, now: number, limit: number): { id: string; leaseOwner: string | null; leaseUntil: number | null }[] {
    return db
      .select({ id: executions.id, leaseOwner: executions.leaseOwner, leaseUntil: executions.leaseUntil })
      .from(executions)
      // `status = 'running'` as a literal, not a bound value: the partial lease index needs to see it.
      .where(and(sql`${executions.status} = 'running'`, or(isNull(executions.leaseUntil), lte(executions.leaseUntil, now))))
      .orderBy(executions.leaseUntil)
      .limit(limit)
      .all();
  },

  /**
   * Whether `owner` is still the execution's last claimant (a fence: a runner whose execution was
   * adopted by someone else must neither act nor record). The status is not checked: a run that
   * was cancelled meanwhile still records what its in-flight step did.
   */
  holds(db: Db, id: string, owner: string): boolean {
    return prepared(db).leaseOwner.get({ id })?.owner === owner;
  },
};
