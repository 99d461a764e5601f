import type { Role } from '../../shared/people.js';
import type { MembershipRow, UserRow } from '../store/people-repo.js';
import type { StoreTx } from '../store/tx.js';
import { principalOf, type Principal } from './roles.js';

/** Roles per team, from a user's membership rows. */
function byTeam(memberships: readonly MembershipRow[]): Map<string, Set<Role>> {
  const byTeam = new Map<string, Set<Role>>();
  for (const m of memberships) {
    const roles = byTeam.get(m.teamId) ?? new Set<Role>();
    roles.add(m.role);
    byTeam.set(m.teamId, roles);
  }
  return byTeam;
}

/** Roles per team of one user, as stored. */
export async function teamRolesOf(tx: StoreTx, userId: string): Promise<Map<string, Set<Role>>> {
  return byTeam(await tx.people.membershipsOf(userId));
}

/** The principal of an enabled user (undefined when the user is gone or disabled). */
export async function userPrincipal(tx: StoreTx, userId: string, kind: Principal['kind']): Promise<{ principal: Principal; user: UserRow } | undefined> {
  const user = await tx.people.user(userId);
  if (!user || user.disabled) return undefined;
  const principal = principalOf({
    kind,
    user: { id: user.id, username: user.username, displayName: user.displayName, kind: user.kind },
    admin: user.admin,
    // An admin holds every team: their roles are not read.
    teamRoles: user.admin ? new Map() : await teamRolesOf(tx, user.id),
  });
  return { principal, user };
}
