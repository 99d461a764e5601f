import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Role } from '../../shared/people.js';
import type { Db } from './db.js';
import { apiTokens, flows, memberships, secrets, sessions, teams, users } from './schema.js';

export type UserRow = typeof users.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;

/** Reads and writes of users, teams and their memberships. Callers validate and audit. */
export const peopleRepo = {
  insertUser(db: Db, row: UserRow): void {
    db.insert(users).values(row).run();
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

  /** The users whose email is `email`, compared without case (Slack buttons find people by email). */
  usersByEmail(db: Db, email: string): UserRow[] {
    return db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
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

  updateUser(db: Db, id: string, set: Partial<Omit<UserRow, 'id' | 'createdAt'>>): UserRow | undefined {
    return db.update(users).set(set).where(eq(users.id, id)).returning().get();
  },

  insertTeam(db: Db, row: TeamRow): void {
    db.insert(teams).values(row).run();
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

  /** Every role of every user (for lists of users and teams: one query, not one per row). */
  allMemberships(db: Db): MembershipRow[] {
    return db.select().from(memberships).all();
  },

  membersOf(db: Db, teamId: string): MembershipRow[] {
    return db.select().from(memberships).where(eq(memberships.teamId, teamId)).all();
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
  replaceMemberships(db: Db, userId: string, origin: MembershipRow['origin'], rows: { teamId: string; role: Role }[]): void {
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
