import Database from 'better-sqlite3';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { ConflictError } from '../../shared/errors.js';
import type { Role } from '../../shared/people.js';
import type { Db } from './db.js';
import { apiTokens, flows, memberships, secrets, sessions, teams, users } from './schema.js';

export type UserRow = typeof users.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
/** The columns updateUser may change. */
export type UserChanges = Partial<Omit<UserRow, 'id' | 'createdAt'>>;

/** The unique indexes of users: the username, the single sign-on identity, the id. */
export type UserIndex = 'username' | 'oidc' | 'id';

/**
 * A users row a unique index refused, said as the API says a taken name (409). Callers check
 * first, but on PostgreSQL two transactions can both pass that check: the second write fails
 * on the index, and both engines answer it with this ConflictError.
 */
export function userTaken(index: UserIndex, row: Partial<UserRow>): ConflictError {
  if (index === 'username') return new ConflictError(`username "${row.username}" is taken`);
  if (index === 'oidc') return new ConflictError(`a user already signs in as "${row.oidcSubject}" of ${row.oidcIssuer}`);
  return new ConflictError(`user id "${row.id}" is taken`);
}

/** A teams row whose id is taken (see userTaken). */
export const teamTaken = (id: string) => new ConflictError(`team id "${id}" is taken`);

/** The users index SQLite names in a unique-constraint error, or undefined for any other error. */
function sqliteUserIndex(error: unknown): UserIndex | undefined {
  if (!(error instanceof Database.SqliteError) || !error.code.startsWith('SQLITE_CONSTRAINT')) return undefined;
  if (error.message.includes('users.username')) return 'username';
  if (error.message.includes('users.oidc_')) return 'oidc';
  if (error.message.includes('users.id')) return 'id';
  return undefined;
}

const isSqliteTeamIdTaken = (error: unknown) =>
  error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT') && error.message.includes('teams.id');

/** Reads and writes of users, teams and their memberships. Callers validate and audit. */
export const peopleRepo = {
  /** Inserts a user; a taken username, sign-in identity or id is a ConflictError. */
  insertUser(db: Db, row: UserRow): void {
    try {
      db.insert(users).values(row).run();
    } catch (error) {
      const index = sqliteUserIndex(error);
      throw index ? userTaken(index, row) : error;
    }
  },

  user(db: Db, id: string): UserRow | undefined {
    return db.select().from(users).where(eq(users.id, id)).get();
  },

  userByUsername(db: Db, username: string): UserRow | undefined {
    return db.select().from(users).where(eq(users.username, username)).get();
  },

  userByOidc(db: Db, issuer: string, subject: string): UserRow | undefined {
    return db
      .select()
      .from(users)
      .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)))
      .get();
  },

  /**
   * The users whose email is `email`, compared without case (Slack buttons find people by
   * email), by username. SQLite's lower() folds ASCII letters only.
   */
  usersByEmail(db: Db, email: string): UserRow[] {
    return db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
      .orderBy(asc(users.username))
      .all();
  },

  /** Whether an enabled admin account exists (then the admin token is the break-glass credential). */
  hasEnabledAdmin(db: Db): boolean {
    return (
      db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.admin, true), eq(users.disabled, false)))
        .limit(1)
        .get() !== undefined
    );
  },

  listUsers(db: Db): UserRow[] {
    return db.select().from(users).orderBy(asc(users.username)).all();
  },

  /** Changes a user; the row after, or undefined when there is no such user. A taken username or sign-in identity is a ConflictError. */
  updateUser(db: Db, id: string, set: UserChanges): UserRow | undefined {
    try {
      return db.update(users).set(set).where(eq(users.id, id)).returning().get();
    } catch (error) {
      const index = sqliteUserIndex(error);
      throw index ? userTaken(index, set) : error;
    }
  },

  /** Inserts a team; a taken id is a ConflictError. */
  insertTeam(db: Db, row: TeamRow): void {
    try {
      db.insert(teams).values(row).run();
    } catch (error) {
      throw isSqliteTeamIdTaken(error) ? teamTaken(row.id) : error;
    }
  },

  team(db: Db, id: string): TeamRow | undefined {
    return db.select().from(teams).where(eq(teams.id, id)).get();
  },

  listTeams(db: Db): TeamRow[] {
    return db.select().from(teams).orderBy(asc(teams.id)).all();
  },

  renameTeam(db: Db, id: string, name: string): boolean {
    return db.update(teams).set({ name }).where(eq(teams.id, id)).run().changes > 0;
  },

  /** Deletes a team and every role held in it; true if it existed. */
  deleteTeam(db: Db, id: string): boolean {
    db.delete(memberships).where(eq(memberships.teamId, id)).run();
    return db.delete(teams).where(eq(teams.id, id)).run().changes > 0;
  },

  /** How many flows and secrets a team owns (a team that owns any cannot be deleted). */
  teamHoldings(db: Db, id: string): { flows: number; secrets: number } {
    const count = (table: typeof flows | typeof secrets) =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(table)
        .where(eq(table.teamId, id))
        .get()?.n ?? 0;
    return { flows: count(flows), secrets: count(secrets) };
  },

  /** Flows per team id (teams without flows are absent). */
  flowCounts(db: Db): Map<string, number> {
    const rows = db
      .select({ team: flows.teamId, n: sql<number>`count(*)` })
      .from(flows)
      .groupBy(flows.teamId)
      .all();
    return new Map(rows.map((r) => [r.team, r.n]));
  },

  /** Every role of one user, in every team. */
  membershipsOf(db: Db, userId: string): MembershipRow[] {
    return db.select().from(memberships).where(eq(memberships.userId, userId)).all();
  },

  /** Every role of every user (for lists of users and teams: one query, not one per row), by user, team and role. */
  allMemberships(db: Db): MembershipRow[] {
    return db.select().from(memberships).orderBy(asc(memberships.userId), asc(memberships.teamId), asc(memberships.role)).all();
  },

  /** The roles held in one team, by user and role. */
  membersOf(db: Db, teamId: string): MembershipRow[] {
    return db.select().from(memberships).where(eq(memberships.teamId, teamId)).orderBy(asc(memberships.userId), asc(memberships.role)).all();
  },

  /** The users holding `role` in `teamId` (enabled or not: callers check). */
  usersWithRole(db: Db, teamId: string, role: Role): string[] {
    return db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, role)))
      .all()
      .map((r) => r.userId);
  },

  /**
   * Replaces the roles of one user that came from `origin` (an admin's `manual` roles, or the
   * `oidc` ones a sign-in maps from groups) with `rows`; roles from the other origin stay.
   */
  replaceMemberships(db: Db, userId: string, origin: MembershipRow['origin'], rows: readonly { teamId: string; role: Role }[]): void {
    db.delete(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.origin, origin)))
      .run();
    for (const r of rows) {
      db.insert(memberships).values({ userId, teamId: r.teamId, role: r.role, origin }).onConflictDoNothing().run();
    }
  },

  /** Ends every session and revokes every API token of a user (disabling them). */
  endAccessOf(db: Db, userId: string, now: number): { sessions: number; tokens: number } {
    const ended = db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
    const revoked = db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .run().changes;
    return { sessions: ended, tokens: revoked };
  },
};
