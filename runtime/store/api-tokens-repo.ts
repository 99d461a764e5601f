import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from './db.js';
import { apiTokens } from './schema.js';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Reads and writes of API tokens. Only SHA-256 hashes come here, never a token value; callers validate and audit. */
export const apiTokensRepo = {
  insert(db: Db, row: ApiTokenRow): void {
    db.insert(apiTokens).values(row).run();
  },

  byHash(db: Db, tokenHash: string): ApiTokenRow | undefined {
    return db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).get();
  },

  byId(db: Db, id: string): ApiTokenRow | undefined {
    return db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  },

  /** Newest first; of one user, or of everyone. */
  list(db: Db, userId?: string): ApiTokenRow[] {
    const q = db.select().from(apiTokens);
    // Ties (one millisecond) by id, newest first as well: the order is the same on PostgreSQL.
    return (userId === undefined ? q : q.where(eq(apiTokens.userId, userId))).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id)).all();
  },

  /** Revokes one token; false if it was already revoked (or is unknown). */
  revoke(db: Db, id: string, now: number): boolean {
    return (
      db
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .run().changes > 0
    );
  },

  /** Revokes every token scoped to a team (the team is being deleted); returns how many. */
  revokeForTeam(db: Db, teamId: string, now: number): number {
    return db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.teamId, teamId), isNull(apiTokens.revokedAt)))
      .run().changes;
  },

  touch(db: Db, id: string, now: number): void {
    db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id)).run();
  },
};
