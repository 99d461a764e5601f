import { ROLES, type Role, type TeamRoles, type UserView } from '../../../shared/people.js';

/*
 * A person's roles as the People page edits them: which roles in which team, as one set of
 * checkboxes per team. Roles from single sign-on are shown but not edited (the identity
 * provider gives them; PUT /roles keeps them).
 */

/** `roles` with `role` in `team` turned on or off; teams left without a role drop out. Roles keep ROLES' order. */
export function toggleRole(roles: TeamRoles, team: string, role: Role, on: boolean): TeamRoles {
  const current = roles.find((r) => r.team === team)?.roles ?? [];
  const next = ROLES.filter((r) => (r === role ? on : current.includes(r)));
  const others = roles.filter((r) => r.team !== team);
  return next.length > 0 ? [...others, { team, roles: next }] : others;
}

/** Whether `roles` gives `role` in `team`. */
export function hasRole(roles: TeamRoles, team: string, role: Role): boolean {
  return roles.some((r) => r.team === team && r.roles.includes(role));
}

/** The roles given by hand (what PUT /api/users/:id/roles replaces). */
export function manualRoles(user: UserView): TeamRoles {
  return user.roles.filter((r) => r.origin === 'manual' && r.roles.length > 0).map((r) => ({ team: r.team, roles: [...r.roles] }));
}

/** The roles single sign-on gave, per team (shown, never edited here). */
export function ssoRoles(user: UserView): TeamRoles {
  return user.roles.filter((r) => r.origin === 'oidc' && r.roles.length > 0).map((r) => ({ team: r.team, roles: [...r.roles] }));
}

/** Per team, every role from either origin, for the users table: `[{ team, roles, fromSso }]`, sorted by team. */
export function rolesByTeam(user: UserView): { team: string; roles: Role[]; fromSso: boolean }[] {
  const byTeam = new Map<string, { roles: Set<Role>; fromSso: boolean }>();
  for (const r of user.roles) {
    const entry = byTeam.get(r.team) ?? { roles: new Set<Role>(), fromSso: false };
    for (const role of r.roles) entry.roles.add(role);
    if (r.origin === 'oidc' && r.roles.length > 0) entry.fromSso = true;
    byTeam.set(r.team, entry);
  }
  return [...byTeam]
    .filter(([, e]) => e.roles.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, e]) => ({ team, roles: ROLES.filter((r) => e.roles.has(r)), fromSso: e.fromSso }));
}

/** "password and single sign-on", "single sign-on", "API tokens only" (service accounts)… for the table. */
export function signInText(user: UserView): string {
  if (user.kind === 'service') return 'API tokens only';
  const ways = user.signIn.map((w) => (w === 'password' ? 'password' : 'single sign-on'));
  return ways.length === 0 ? 'cannot sign in (no password, no single sign-on)' : ways.join(' and ');
}
