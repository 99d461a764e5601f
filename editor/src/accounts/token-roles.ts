import { ROLES, type Me, type Role } from '../../../shared/people.js';

/**
 * The teams a new API token can be for, each with the roles it may carry there: the caller's own
 * roles in that team (a token never gives more than its owner holds); every role for an admin.
 */
export function tokenRolesChoice(me: Me, allTeams: readonly { id: string; name: string }[]): { id: string; name: string; roles: Role[] }[] {
  if (me.admin) return allTeams.map((t) => ({ id: t.id, name: t.name, roles: [...ROLES] }));
  return me.teams.filter((t) => t.roles.length > 0).map((t) => ({ id: t.id, name: t.name, roles: ROLES.filter((r) => t.roles.includes(r)) }));
}
