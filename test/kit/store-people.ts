import type { Role } from '../../shared/people.js';
import type { Decider } from '../../runtime/engine/approvals/rules.js';
import type { SqliteStore } from '../../runtime/store/db.js';
import { appendAudit } from '../../runtime/store/audit-repo.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { hashPassword } from '../../runtime/http/passwords.js';
import { bootstrapAdmin } from '../../runtime/http/roles.js';
import { userPrincipal } from '../../runtime/http/user-principal.js';
import { sqliteStore } from '../../runtime/store/store.js';

/** The bootstrap admin token deciding over the API (break-glass where accounts exist). */
export function adminDecider(): Decider {
  return { actor: { name: 'admin', via: 'token', identity: 'admin' }, identity: 'admin', principal: bootstrapAdmin('admin-token') };
}

/**
 * A user created straight in the store (until the users API is on main), with roles per team
 * and, optionally, a password to sign in with; the creation is audited like an admin's.
 */
export async function addUser(
  store: SqliteStore,
  u: { id?: string; username: string; roles: { teamId: string; role: Role }[]; password?: string; admin?: boolean; kind?: 'person' | 'service' },
): Promise<{ id: string; decider: () => Promise<Decider> }> {
  const id = u.id ?? `u-${u.username}`;
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  await store.write((db) => {
    for (const teamId of new Set(u.roles.map((r) => r.teamId))) {
      if (!peopleRepo.team(db, teamId)) peopleRepo.insertTeam(db, { id: teamId, name: teamId, createdAt: 0 });
    }
    peopleRepo.insertUser(db, {
      id,
      kind: u.kind ?? 'person',
      username: u.username,
      displayName: u.username,
      email: null,
      passwordHash,
      oidcIssuer: null,
      oidcSubject: null,
      admin: u.admin ?? false,
      disabled: false,
      createdAt: 0,
      updatedAt: 0,
      lastSignInAt: null,
    });
    peopleRepo.replaceMemberships(db, id, 'manual', u.roles);
    appendAudit(db, { actor: { name: 'admin', via: 'token', identity: 'admin' }, action: 'user.create', target: id, after: { username: u.username, roles: u.roles }, now: 0 });
  });
  return {
    id,
    // Read at each call: the user's roles as they are now.
    decider: async () => {
      const found = (await sqliteStore(store).read((tx) => userPrincipal(tx, id, 'session')))!;
      return { actor: { name: u.username, via: 'session', identity: `user:${id}` }, identity: `user:${id}`, principal: found.principal };
    },
  };
}
