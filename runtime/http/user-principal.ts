import type { Role } from '../../shared/people.js';
import type { Db } from '../store/db.js';
import { peopleRepo, type UserRow } from '../store/people-repo.js';
import { principalOf, type Principal } from './roles.js';

/** Roles per team of one user, as stored. */
export function teamRolesOf(db: Db, userId: string): Map<string, Set<Role>> {
  const byTeam = new Map<string, Set<Role>>();
  for (const m of peopleRepo.membershipsOf(db, userId)) {
    const roles = byTeam.get(m.teamId) ?? new Set<Role>();
    roles.add(m.role);
    byTeam.set(m.teamId, roles);
  }
  return byTeam;
}

/** The principal of an enabled user (undefined when the user is gone or disabled). */
export function userPrincipal(db: Db, userId: string, kind: Principal['kind']): { principal: Principal; user: UserRow } | undefined {
  const user = peopleRepo.user(db, userId);
  if (!user || user.disabled) return undefined;
  const principal = principalOf({
    kind,
    user: { id: user.id, username: user.username, displayName: user.displayName, kind: user.kind },
    admin: user.admin,
    teamRoles: user.admin ? new Map() : teamRolesOf(db, user.id),
  });
  return { principal, user };
}
