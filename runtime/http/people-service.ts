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
import { newId } from '../store/ids.js';
import type { MembershipRow, TeamRow, UserRow } from '../store/people-repo.js';
import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';
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
async function manualRoles(tx: StoreTx, userId: string): Promise<TeamRoles> {
  const view = userView((await tx.people.user(userId))!, await tx.people.membershipsOf(userId));
  return view.roles.filter((r) => r.origin === 'manual').map(({ team, roles }) => ({ team, roles }));
}

/**
 * Checks that every team named in a roles list exists (422 naming `roles[i].team` otherwise) and
 * flattens it to membership rows (a team named twice gets the roles of both entries).
 */
async function membershipRows(tx: StoreTx, roles: TeamRoles, base: (string | number)[] = ['roles']): Promise<{ teamId: string; role: Role }[]> {
  const issues: Issue[] = [];
  const rows = new Map<string, { teamId: string; role: Role }>();
  for (const [i, entry] of roles.entries()) {
    if (!(await tx.people.team(entry.team))) issues.push({ path: [...base, i, 'team'], message: `no team "${entry.team}"` });
    for (const role of entry.roles) rows.set(`${entry.team}\u0000${role}`, { teamId: entry.team, role });
  }
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
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  listUsers(): Promise<UserView[]> {
    return this.store.read(async (tx) => {
      const memberships = await tx.people.allMemberships();
      return (await tx.people.listUsers()).map((u) => userView(u, memberships));
    });
  }

  user(id: string): Promise<UserView> {
    return this.store.read((tx) => this.viewOf(tx, id));
  }

  userByUsername(username: string): Promise<UserView | undefined> {
    return this.store.read(async (tx) => {
      const u = await tx.people.userByUsername(username);
      return u ? userView(u, await tx.people.membershipsOf(u.id)) : undefined;
    });
  }

  async createUser(input: CreateUser, actor: Actor): Promise<UserView> {
    if (input.kind === 'service' && input.password !== undefined) throw noPasswordForService();
    // Hashing takes ~100 ms: outside the write transaction.
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const now = this.now();
    return this.store.write(async (tx) => {
      if (await tx.people.userByUsername(input.username)) throw new ConflictError(`username "${input.username}" is taken`);
      const rows = await membershipRows(tx, input.roles);
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
      await tx.people.insertUser(user);
      await tx.people.replaceMemberships(id, 'manual', rows);
      await tx.audit.append({
        actor,
        action: 'user.create',
        target: id,
        after: { username: user.username, kind: user.kind, ...auditSummary(user) },
        details: { roles: input.roles, password: passwordHash !== null },
        now,
      });
      return this.viewOf(tx, id);
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
    const existing = await this.store.read((tx) => tx.people.user(id));
    if (!existing) throw new NotFoundError(`no user "${id}"`);
    if (existing.kind === 'service' && patch.password !== undefined) throw noPasswordForService();
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const now = this.now();
    return this.store.write(async (tx) => {
      const before = await tx.people.user(id);
      if (!before) throw new NotFoundError(`no user "${id}"`);
      const set: Partial<UserRow> = {};
      if (patch.displayName !== undefined && patch.displayName !== before.displayName) set.displayName = patch.displayName;
      if (patch.email !== undefined && patch.email !== before.email) set.email = patch.email;
      if (patch.admin !== undefined && patch.admin !== before.admin) set.admin = patch.admin;
      if (patch.disabled !== undefined && patch.disabled !== before.disabled) set.disabled = patch.disabled;
      if (passwordHash !== undefined) set.passwordHash = passwordHash;
      if (Object.keys(set).length === 0) return this.viewOf(tx, id);
      const after = (await tx.people.updateUser(id, { ...set, updatedAt: now }))!;
      const ended = set.disabled === true ? await tx.people.endAccessOf(id, now) : undefined;
      const details = {
        ...(passwordHash !== undefined ? { passwordChanged: true } : {}),
        ...(ended ? { sessionsEnded: ended.sessions, tokensRevoked: ended.tokens } : {}),
      };
      await tx.audit.append({
        actor,
        action: 'user.update',
        target: id,
        before: auditSummary(before),
        after: auditSummary(after),
        ...(Object.keys(details).length > 0 ? { details } : {}),
        now,
      });
      return this.viewOf(tx, id);
    });
  }

  /** Replaces the roles an admin gave the user (`manual`); roles from single sign-on stay. */
  async putRoles(id: string, roles: TeamRoles, actor: Actor): Promise<UserView> {
    const now = this.now();
    return this.store.write(async (tx) => {
      if (!(await tx.people.user(id))) throw new NotFoundError(`no user "${id}"`);
      const rows = await membershipRows(tx, roles);
      const before = await manualRoles(tx, id);
      await tx.people.replaceMemberships(id, 'manual', rows);
      await tx.audit.append({ actor, action: 'user.roles', target: id, before: { roles: before }, after: { roles: await manualRoles(tx, id) }, now });
      return this.viewOf(tx, id);
    });
  }

  /**
   * A user changes their own password, giving the current one. `wrong`: the current password
   * did not match (the caller counts it as a failed sign-in). Every other session of the user
   * ends: whoever else knew the old password is signed out.
   */
  async changeOwnPassword(userId: string, current: string, next: string, actor: Actor, keepSession?: string): Promise<'changed' | 'wrong'> {
    const user = await this.store.read((tx) => tx.people.user(userId));
    if (!user) throw new NotFoundError(`no user "${userId}"`);
    if (user.kind === 'service') throw new ConflictError('a service account has no password; it uses API tokens');
    if (!user.passwordHash) throw new ConflictError('this account has no password: it signs in with single sign-on');
    if (!(await verifyPassword(current, user.passwordHash))) return 'wrong';
    const passwordHash = await hashPassword(next);
    const now = this.now();
    await this.store.write(async (tx) => {
      await tx.people.updateUser(userId, { passwordHash, updatedAt: now });
      let ended = 0;
      for (const s of await tx.sessions.forUser(userId)) if (s.id !== keepSession && (await tx.sessions.delete(s.id))) ended++;
      await tx.audit.append({ actor, action: 'password.change', target: userId, details: { otherSessionsEnded: ended }, now });
    });
    return 'changed';
  }

  /** The teams in `visible` (every team for `all`), with members and flow counts. */
  listTeams(visible: 'all' | readonly string[]): Promise<TeamView[]> {
    return this.store.read(async (tx) => {
      const memberships = await tx.people.allMemberships();
      const users = new Map((await tx.people.listUsers()).map((u) => [u.id, u]));
      const flowCounts = await tx.people.flowCounts();
      return (await tx.people.listTeams())
        .filter((t) => visible === 'all' || visible.includes(t.id))
        .map((t) => teamView(t, memberships, users, flowCounts.get(t.id) ?? 0));
    });
  }

  async createTeam(input: { id: string; name: string }, actor: Actor): Promise<TeamView> {
    const now = this.now();
    return this.store.write(async (tx) => {
      if (await tx.people.team(input.id)) throw new ConflictError(`team id "${input.id}" is taken`);
      await tx.people.insertTeam({ id: input.id, name: input.name, createdAt: now });
      await tx.audit.append({ actor, action: 'team.create', target: input.id, after: { name: input.name }, now });
      return this.teamViewOf(tx, input.id);
    });
  }

  async renameTeam(id: string, name: string, actor: Actor): Promise<TeamView> {
    const now = this.now();
    return this.store.write(async (tx) => {
      const before = await tx.people.team(id);
      if (!before) throw new NotFoundError(`no team "${id}"`);
      if (before.name !== name) {
        await tx.people.renameTeam(id, name);
        await tx.audit.append({ actor, action: 'team.update', target: id, before: { name: before.name }, after: { name }, now });
      }
      return this.teamViewOf(tx, id);
    });
  }

  /** Deletes an empty team (no flows, no secrets; never `default`): its roles go, its tokens are revoked. */
  async deleteTeam(id: string, actor: Actor): Promise<void> {
    const now = this.now();
    await this.store.write(async (tx) => {
      const team = await tx.people.team(id);
      if (!team) throw new NotFoundError(`no team "${id}"`);
      if (id === DEFAULT_TEAM_ID) throw new ConflictError('the default team cannot be deleted');
      const held = await tx.people.teamHoldings(id);
      if (held.flows > 0 || held.secrets > 0) {
        throw new ConflictError(`team "${id}" still owns ${held.flows} flow(s) and ${held.secrets} secret(s): delete or move them first`, held);
      }
      const members = (await tx.people.membersOf(id)).length;
      const tokensRevoked = await tx.apiTokens.revokeForTeam(id, now);
      await tx.people.deleteTeam(id);
      await tx.audit.append({ actor, action: 'team.delete', target: id, before: { name: team.name }, details: { roles: members, tokensRevoked }, now });
    });
  }

  private async viewOf(tx: StoreTx, id: string): Promise<UserView> {
    const u = await tx.people.user(id);
    if (!u) throw new NotFoundError(`no user "${id}"`);
    return userView(u, await tx.people.membershipsOf(id));
  }

  private async teamViewOf(tx: StoreTx, id: string): Promise<TeamView> {
    const team = (await tx.people.team(id))!;
    const memberships = await tx.people.membersOf(id);
    const users = new Map<string, UserRow>();
    for (const m of memberships) {
      const u = await tx.people.user(m.userId);
      // A role of a removed user is left out, as teamView leaves out members it has no row for.
      if (u) users.set(m.userId, u);
    }
    return teamView(team, memberships, users, (await tx.people.flowCounts()).get(id) ?? 0);
  }
}
