import { and, desc, eq, isNull, lte, ne, or } from 'drizzle-orm';
import type { Db } from './db.js';
import { sessions } from './schema.js';

export type SessionRow = typeof sessions.$inferSelect;

/** Reads and writes of browser sessions. Callers hash cookie values; no raw value comes here. */
export const sessionsRepo = {
  insert(db: Db, row: SessionRow): void {
    db.insert(sessions).values(row).run();
  },

  byTokenHash(db: Db, tokenHash: string): SessionRow | undefined {
    return db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
  },

  byId(db: Db, id: string): SessionRow | undefined {
    return db.select().from(sessions).where(eq(sessions.id, id)).get();
  },

  forUser(db: Db, userId: string): SessionRow[] {
    // Ties (one millisecond) by id, newest first as well: the order is the same on PostgreSQL.
    return db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.createdAt), desc(sessions.id)).all();
  },

  touch(db: Db, id: string, now: number): void {
    db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, id)).run();
  },

  /** Deletes one session; true if it existed. */
  delete(db: Db, id: string): boolean {
    return db.delete(sessions).where(eq(sessions.id, id)).run().changes > 0;
  },

  /**
   * Deletes every session that can no longer be used: past its absolute end, idle since
   * `idleBefore`, or made with another admin token (sessions of the admin token only). Returns how many were removed.
   */
  deleteUnusable(db: Db, opts: { now: number; idleBefore: number; adminTokenFingerprint: string }): number {
    return db
      .delete(sessions)
      .where(
        or(
          lte(sessions.expiresAt, opts.now),
          lte(sessions.lastUsedAt, opts.idleBefore),
          and(isNull(sessions.userId), ne(sessions.adminTokenFingerprint, opts.adminTokenFingerprint)),
        ),
      )
      .run().changes;
  },
};
