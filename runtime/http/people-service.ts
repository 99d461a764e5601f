import type { z } from 'zod';
import type { Actor } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type Issue } from '../../shared/errors.js';
import {
  DEFAULT_TEAM_ID,
  ROLES,
  type CreateUser,
  type Role,
  type TeamRoles,
  type TeamView,
  type UpdateUserSchema,
  type UserView,
} from '../../shared/people.js';
import { appendAudit } from '../store/audit-repo.js';
import { apiTokensRepo } from '../store/api-tokens-repo.js';
import type { Db, SqliteStore } from '../store/db.js';
import { newId } from '../store/ids.js';
import { peopleRepo, type MembershipRow, type TeamRow, type UserRow } from '../store/people-repo.js';
import { sessionsRepo } from '../store/sessions-repo.js';
import { hashPassword, verifyPassword } from './passwords.js';

type UpdateUser = z.output<typeof UpdateUserSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const byRoleOrder = (a: Role, b: Role) => ROLES.indexOf(a) - ROLES.indexOf(b);

/** A user as the API answers it: never the password hash. */
function userView(u: UserRow, memberships: readonly MembershipRow[]): UserView {
  const grouped = new Map<string, { team: string; roles: Role[]; origin: 'manual' | 'oidc' }>();
  for (const m of memberships) {
    if (m.userId !== u.id) continue;
    const key = `${m.teamId}\u0000${m.origin}`;
    const entry = grouped.get(key) ?? { team: m.teamId, roles: [], origin: m.origin };
    grouped.set(key, entry);
    entry.roles.push(m.role);
  }
  const roles = [...grouped.values()]
    .map((e) => ({ ...e, roles: e.roles.sort(byRoleOrder) }))
    .sort((a, b) => a.team.localeCompare(b.team) || a.origin.localeCompare(b.origin));
  return {
    id: u.id,
    kind: u.kind,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    admin: u.admin,
    disabled: u.disabled,
    signIn: [...(u.passwordHash ? (['password'] as const) : []), ...(u.oidcIssuer ? (['sso'] as const) : [])],
    roles,
    createdAt: iso(u.createdAt),
    lastSignInAt: u.lastSignInAt === null ? null : iso(u.lastSignInAt),
  };
}

function teamView(t: TeamRow, memberships: readonly MembershipRow[], users: ReadonlyMap<string, UserRow>, flowCount: number): TeamView {
  const members = new Map<string, Set<Role>>();
  for (const m of memberships) {
    if (m.teamId !== t.id) continue;
    const roles = members.get(m.userId) ?? new Set<Role>();
    members.set(m.userId, roles);
    roles.add(m.role);
  }
  return {
    id: t.id,
    name: t.name,
    createdAt: iso(t.createdAt),
    members: [...members.entries()]
      .flatMap(([userId, roles]) => {
        const u = users.get(userId);
        return u ? [{ userId, username: u.username, displayName: u.displayName, roles: [...roles].sort(byRoleOrder) }] : [];
      })
      .sort((a, b) => a.username.localeCompare(b.username)),
    flowCount,
  };
}

/** What the audit log keeps of a user (before/after): never the password. */
const auditSummary = (u: UserRow) => ({ displayName: u.displayName, email: u.email, admin: u.admin, disabled: u.disabled });

/** A user's `manual` roles as the roles body lists them (the audit's before/after of user.roles). */
const manualRoles = (db: Db, userId: string): TeamRoles =>
  userView(peopleRepo.user(db, userId)!, peopleRepo.membershipsOf(db, userId))
    .roles.filter((r) => r.origin === 'manual')
    .map(({ team, roles }) => ({ team, roles }));

/**
 * Checks that every team named in a roles list exists (422 naming `roles[i].team` otherwise) and
 * flattens it to membership rows (a team named twice gets the roles of both entries).
 */
function membershipRows(db: Db, roles: TeamRoles, base: (string | number)[] = ['roles']): { teamId: string; role: Role }[] {
  const issues: Issue[] = [];
  const rows = new Map<string, { teamId: string; role: Role }>();
  roles.forEach((entry, i) => {
    if (!peopleRepo.team(db, entry.team)) issues.push({ path: [...base, i, 'team'], message: `no team "${entry.team}"` });
    for (const role of entry.roles) rows.set(`${entry.team}\u0000${role}`, { teamId: entry.team, role });
  });
  if (issues.length > 0) throw new ValidationError(issues.map((i) => i.message).join('; '), issues);
  return [...rows.values()];
}

const noPasswordForService = () =>
  new ValidationError('password: a service account has no password; it uses API tokens', [
    { path: ['password'], message: 'a service account has no password; it uses API tokens' },
  ]);

/**
 * Users and teams: what `/api/users`, `/api/teams`, `/api/me/password` and `salve users|teams`
 * do. Every change is audited in the transaction that makes it. Callers have authorized the
 * request; the rules here are the ones about the data (a taken username, an unknown team, an
 * admin disabling themself).
 */
export class PeopleService {
  constructor(
    private readonly store: SqliteStore,
    private readonly now: () => number = Date.now,
  ) {}

  listUsers(): UserView[] {
    const memberships = peopleRepo.allMemberships(this.store.db);
    return peopleRepo.listUsers(this.store.db).map((u) => userView(u, memberships));
  }

  user(id: string): UserView {
    return this.viewOf(this.store.db, id);
  }

  userByUsername(username: string): UserView | undefined {
    const u = peopleRepo.userByUsername(this.store.db, username);
    return u ? userView(u, peopleRepo.membershipsOf(this.store.db, u.id)) : undefined;
  }

  async createUser(input: CreateUser, actor: Actor): Promise<UserView> {
    if (input.kind === 'service' && input.password !== undefined) throw noPasswordForService();
    // Hashing takes ~100 ms: outside the write transaction.
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const now = this.now();
    return this.store.write((db) => {
      if (peopleRepo.userByUsername(db, input.username)) throw new ConflictError(`username "${input.username}" is taken`);
      const rows = membershipRows(db, input.roles);
      const id = newId('us', now);
      const user: UserRow = {
        id,
        kind: input.kind,
        username: input.username,
        displayName: input.displayName,
        email: input.email ?? null,
        passwordHash,
        oidcIssuer: null,
        oidcSubject: null,
        admin: input.admin,
        disabled: false,
        createdAt: now,
        updatedAt: now,
        lastSignInAt: null,
      };
      peopleRepo.insertUser(db, user);
      peopleRepo.replaceMemberships(db, id, 'manual', rows);
      appendAudit(db, {
        actor,
        action: 'user.create',
        target: id,
        after: { username: user.username, kind: user.kind, ...auditSummary(user) },
        details: { roles: input.roles, password: passwordHash !== null },
        now,
      });
      return this.viewOf(db, id);
    });
  }

  /**
   * Changes a user. `callerId`: the user making the change, who may not disable themself or take
   * their own admin away (the last admin could lock everyone out but the break-glass token).
   * Disabling ends every session and revokes every token of the user, in the same transaction.
   */
  async updateUser(id: string, patch: UpdateUser, actor: Actor, callerId?: string): Promise<UserView> {
    if (callerId === id && patch.disabled === true) throw new ConflictError('you cannot disable your own account; ask another admin');
    if (callerId === id && patch.admin === false) throw new ConflictError('you cannot take away your own admin; ask another admin');
    const existing = peopleRepo.user(this.store.db, id);
    if (!existing) throw new NotFoundError(`no user "${id}"`);
    if (existing.kind === 'service' && patch.password !== undefined) throw noPasswordForService();
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const now = this.now();
    return this.store.write((db) => {
      const before = peopleRepo.user(db, id);
      if (!before) throw new NotFoundError(`no user "${id}"`);
      const set: Partial<UserRow> = {};
      if (patch.displayName !== undefined && patch.displayName !== before.displayName) set.displayName = patch.displayName;
      if (patch.email !== undefined && patch.email !== before.email) set.email = patch.email;
      if (patch.admin !== undefined && patch.admin !== before.admin) set.admin = patch.admin;
      if (patch.disabled !== undefined && patch.disabled !== before.disabled) set.disabled = patch.disabled;
      if (passwordHash !== undefined) set.passwordHash = passwordHash;
      if (Object.keys(set).length === 0) return this.viewOf(db, id);
      const after = peopleRepo.updateUser(db, id, { ...set, updatedAt: now })!;
      const ended = set.disabled === true ? peopleRepo.endAccessOf(db, id, now) : undefined;
      const details = {
        ...(passwordHash !== undefined ? { passwordChanged: true } : {}),
        ...(ended ? { sessionsEnded: ended.sessions, tokensRevoked: ended.tokens } : {}),
      };
      appendAudit(db, {
        actor,
        action: 'user.update',
        target: id,
        before: auditSummary(before),
        after: auditSummary(after),
        ...(Object.keys(details).length > 0 ? { details } : {}),
        now,
      });
      return this.viewOf(db, id);
    });
  }

  /** Replaces the roles an admin gave the user (`manual`); roles from single sign-on stay. */
  async putRoles(id: string, roles: TeamRoles, actor: Actor): Promise<UserView> {
    const now = this.now();
    return this.store.write((db) => {
      if (!peopleRepo.user(db, id)) throw new NotFoundError(`no user "${id}"`);
      const rows = membershipRows(db, roles);
      const before = manualRoles(db, id);
      peopleRepo.replaceMemberships(db, id, 'manual', rows);
      appendAudit(db, { actor, action: 'user.roles', target: id, before: { roles: before }, after: { roles: manualRoles(db, id) }, now });
      return this.viewOf(db, id);
    });
  }

  /**
   * A user changes their own password, giving the current one. `wrong`: the current password
   * did not match (the caller counts it as a failed sign-in). Every other session of the user
   * ends: whoever else knew the old password is signed out.
   */
  async changeOwnPassword(userId: string, current: string, next: string, actor: Actor, keepSession?: string): Promise<'changed' | 'wrong'> {
    const user = peopleRepo.user(this.store.db, userId);
    if (!user) throw new NotFoundError(`no user "${userId}"`);
    if (user.kind === 'service') throw new ConflictError('a service account has no password; it uses API tokens');
    if (!user.passwordHash) throw new ConflictError('this account has no password: it signs in with single sign-on');
    if (!(await verifyPassword(current, user.passwordHash))) return 'wrong';
    const passwordHash = await hashPassword(next);
    const now = this.now();
    await this.store.write((db) => {
      peopleRepo.updateUser(db, userId, { passwordHash, updatedAt: now });
      let ended = 0;
      for (const s of sessionsRepo.forUser(db, userId)) if (s.id !== keepSession && sessionsRepo.delete(db, s.id)) ended++;
      appendAudit(db, { actor, action: 'password.change', target: userId, details: { otherSessionsEnded: ended }, now });
    });
    return 'changed';
  }

  /** The teams in `visible` (every team for `all`), with members and flow counts. */
  listTeams(visible: 'all' | readonly string[]): TeamView[] {
    const db = this.store.db;
    const memberships = peopleRepo.allMemberships(db);
    const users = new Map(peopleRepo.listUsers(db).map((u) => [u.id, u]));
    const flowCounts = peopleRepo.flowCounts(db);
    return peopleRepo
      .listTeams(db)
      .filter((t) => visible === 'all' || visible.includes(t.id))
      .map((t) => teamView(t, memberships, users, flowCounts.get(t.id) ?? 0));
  }

  async createTeam(input: { id: string; name: string }, actor: Actor): Promise<TeamView> {
    const now = this.now();
    return this.store.write((db) => {
      if (peopleRepo.team(db, input.id)) throw new ConflictError(`team id "${input.id}" is taken`);
      peopleRepo.insertTeam(db, { id: input.id, name: input.name, createdAt: now });
      appendAudit(db, { actor, action: 'team.create', target: input.id, after: { name: input.name }, now });
      return this.teamViewOf(db, input.id);
    });
  }

  async renameTeam(id: string, name: string, actor: Actor): Promise<TeamView> {
    const now = this.now();
    return this.store.write((db) => {
      const before = peopleRepo.team(db, id);
      if (!before) throw new NotFoundError(`no team "${id}"`);
      if (before.name !== name) {
        peopleRepo.renameTeam(db, id, name);
        appendAudit(db, { actor, action: 'team.update', target: id, before: { name: before.name }, after: { name }, now });
      }
      return this.teamViewOf(db, id);
    });
  }

  /** Deletes an empty team (no flows, no secrets; never `default`): its roles go, its tokens are revoked. */
  async deleteTeam(id: string, actor: Actor): Promise<void> {
    const now = this.now();
    await this.store.write((db) => {
      const team = peopleRepo.team(db, id);
      if (!team) throw new NotFoundError(`no team "${id}"`);
      if (id === DEFAULT_TEAM_ID) throw new ConflictError('the default team cannot be deleted');
      const held = peopleRepo.teamHoldings(db, id);
      if (held.flows > 0 || held.secrets > 0) {
        throw new ConflictError(`team "${id}" still owns ${held.flows} flow(s) and ${held.secrets} secret(s): delete or move them first`, held);
      }
      const members = peopleRepo.membersOf(db, id).length;
      const tokensRevoked = apiTokensRepo.revokeForTeam(db, id, now);
      peopleRepo.deleteTeam(db, id);
      appendAudit(db, { actor, action: 'team.delete', target: id, before: { name: team.name }, details: { roles: members, tokensRevoked }, now });
    });
  }

  private viewOf(db: Db, id: string): UserView {
    const u = peopleRepo.user(db, id);
    if (!u) throw new NotFoundError(`no user "${id}"`);
    return userView(u, peopleRepo.membershipsOf(db, id));
  }

  private teamViewOf(db: Db, id: string): TeamView {
    const team = peopleRepo.team(db, id)!;
    const memberships = peopleRepo.membersOf(db, id);
    const users = new Map(memberships.map((m) => [m.userId, peopleRepo.user(db, m.userId)!]));
    return teamView(team, memberships, users, peopleRepo.flowCounts(db).get(id) ?? 0);
  }
}
