import { ROLES, type Me, type Role, type UserView } from '../../../shared/people.js';

/**
 * The teams a new API token can be for, each with the roles it may carry there: the caller's own
 * roles in that team (a token never gives more than its owner holds); every role for an admin.
 */
export function tokenRolesChoice(me: Me, allTeams: readonly { id: string; name: string }[]): { id: string; name: string; roles: Role[] }[] {
  if (me.admin) return allTeams.map((t) => ({ id: t.id, name: t.name, roles: [...ROLES] }));
  return me.teams.filter((t) => t.roles.length > 0).map((t) => ({ id: t.id, name: t.name, roles: ROLES.filter((r) => t.roles.includes(r)) }));
}

/**
 * The same for a service account's token, which an admin makes: the teams where the account holds
 * roles, each with those roles (the server refuses more); every team and role for an admin account.
 */
export function accountTokenRolesChoice(user: UserView, allTeams: readonly { id: string; name: string }[]): { id: string; name: string; roles: Role[] }[] {
  if (user.admin) return allTeams.map((t) => ({ id: t.id, name: t.name, roles: [...ROLES] }));
  const held = new Map<string, Set<Role>>();
  for (const r of user.roles) for (const role of r.roles) held.set(r.team, (held.get(r.team) ?? new Set()).add(role));
  return [...held].map(([id, roles]) => ({ id, name: allTeams.find((t) => t.id === id)?.name ?? id, roles: ROLES.filter((r) => roles.has(r)) }));
}
