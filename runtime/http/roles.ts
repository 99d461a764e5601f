import type { Role } from '../../shared/people.js';
import { PERMISSIONS, type Permission } from './route-table.js';

/**
 * What each team role allows, in the route table's permissions. Held per team: an editor of
 * `payments` changes `payments`' flows only. `admin` and `audit:read` belong to global admins.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['flows:read', 'runs:read', 'events:read', 'secrets:read-names'],
  operator: ['flows:read', 'runs:read', 'events:read', 'secrets:read-names', 'runs:operate'],
  editor: ['flows:read', 'runs:read', 'events:read', 'secrets:read-names', 'flows:write', 'secrets:write'],
  approver: ['flows:read', 'runs:read', 'events:read', 'secrets:read-names', 'approvals:decide'],
};

/** A global admin (and the bootstrap admin token) holds every permission in every team. */
export const ADMIN_PERMISSIONS: ReadonlySet<Permission> = new Set(PERMISSIONS);

/**
 * Who made a request, and what they may do.
 * - `admin-token`: the bootstrap admin token as a bearer token; `session`: a browser session
 *   (of a user, or of the admin token when `user` is absent); `api-token`: a user's or service
 *   account's API token, limited to its team and roles; `slack`: a user who clicked a Slack
 *   button, found by their verified email (runtime/http/slack/).
 * - `permissions`: everything held in at least one team (or everything, for an admin): what the
 *   route table's permission is checked against first. `permissionsIn` then narrows it to the
 *   team that owns the resource.
 */
export interface Principal {
  kind: 'admin-token' | 'session' | 'api-token' | 'slack' | 'metrics-token';
  user?: { id: string; username: string; displayName: string; kind: 'person' | 'service' };
  admin: boolean;
  /** Roles per team id. Empty for an admin (who holds everything everywhere). */
  teamRoles: ReadonlyMap<string, ReadonlySet<Role>>;
  permissions: ReadonlySet<Permission>;
}

/** The permissions a set of roles gives. */
export function permissionsOfRoles(roles: Iterable<Role>): Set<Permission> {
  const held = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) held.add(p);
  return held;
}

/** Builds a principal from its roles; `permissions` is derived, never given. */
export function principalOf(p: Omit<Principal, 'permissions'>): Principal {
  if (p.admin) return { ...p, permissions: ADMIN_PERMISSIONS };
  const permissions = new Set<Permission>();
  for (const roles of p.teamRoles.values()) for (const perm of permissionsOfRoles(roles)) permissions.add(perm);
  return { ...p, permissions };
}

/** The bootstrap admin (the admin token, as a bearer token or the session it started). */
export function bootstrapAdmin(kind: 'admin-token' | 'session'): Principal {
  return principalOf({ kind, admin: true, teamRoles: new Map() });
}

/**
 * The metrics token (SALVE_METRICS_TOKEN): holds `metrics` and nothing else, in no team. Only
 * GET /metrics accepts it (auth.ts), so it can read figures and never reach the API.
 */
export function metricsReader(): Principal {
  return { kind: 'metrics-token', admin: false, teamRoles: new Map(), permissions: new Set(['metrics']) };
}

/** What the principal may do in one team. */
export function permissionsIn(principal: Principal, teamId: string): ReadonlySet<Permission> {
  if (principal.admin) return ADMIN_PERMISSIONS;
  return permissionsOfRoles(principal.teamRoles.get(teamId) ?? []);
}

/** The teams in which the principal holds `permission`: `all` for an admin. */
export function teamsWith(principal: Principal, permission: Permission): 'all' | string[] {
  if (principal.admin) return 'all';
  return [...principal.teamRoles.entries()].filter(([, roles]) => permissionsOfRoles(roles).has(permission)).map(([team]) => team);
}

/**
 * The stable identity of whoever acts (`user:<id>`, or `admin` for the bootstrap admin token):
 * what flow revisions, manual runs and approval decisions record, so that "the same person" can
 * be told apart from "a person with the same display name".
 */
export function identityOf(principal: Principal): string {
  return principal.user ? `user:${principal.user.id}` : 'admin';
}
