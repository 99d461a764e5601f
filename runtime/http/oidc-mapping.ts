import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RESERVED_USERNAMES, type Role, TeamRolesSchema } from '../../shared/people.js';

/**
 * SALVE_OIDC_ROLE_MAP: which group (as the provider's groups claim names it) gives what. A group
 * maps to `"admin"` (a global admin) or to a list of teams and roles, e.g.
 * `{"salve-admins": "admin", "payments-oncall": [{"team": "payments", "roles": ["operator", "approver"]}]}`.
 */
export const RoleMapSchema = z.record(
  z.string().min(1, 'a group name is not empty').max(256),
  z.union([z.literal('admin'), TeamRolesSchema], { error: 'each group maps to "admin" or to a list of {"team": "...", "roles": [...]}' }),
);
export type RoleMap = z.infer<typeof RoleMapSchema>;

/** What a user's groups give them: the global admin flag and roles per team (sorted, no repeats). */
export interface MappedAccess {
  admin: boolean;
  memberships: { teamId: string; role: Role }[];
}

/** The groups a groups claim names: an array of strings (or one string); anything else is no group. */
export function groupsOf(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  if (!Array.isArray(claim)) return [];
  return claim.filter((g): g is string => typeof g === 'string').slice(0, 1000);
}

/** Applies the role map to a user's groups. Groups the map does not name give nothing. */
export function mapGroups(groups: readonly string[], map: RoleMap): MappedAccess {
  let admin = false;
  const seen = new Set<string>();
  const memberships: MappedAccess['memberships'] = [];
  for (const group of groups) {
    // Own properties only: a group called "__proto__" or "constructor" must not find anything.
    if (!Object.hasOwn(map, group)) continue;
    const gives = map[group]!;
    if (gives === 'admin') {
      admin = true;
      continue;
    }
    for (const { team, roles } of gives) {
      for (const role of roles) {
        const key = `${team}\u0000${role}`;
        if (seen.has(key)) continue;
        seen.add(key);
        memberships.push({ teamId: team, role });
      }
    }
  }
  memberships.sort((a, b) => (a.teamId === b.teamId ? a.role.localeCompare(b.role) : a.teamId.localeCompare(b.teamId)));
  return { admin, memberships };
}

/** The ID token and userinfo claims Salve reads (anything else is ignored). */
export interface IdentityClaims {
  sub: string;
  preferred_username?: unknown;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  given_name?: unknown;
  family_name?: unknown;
  [claim: string]: unknown;
}

const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined);

/** The e-mail address, only when the provider says it verified it (Slack approvals match users by it). */
export function verifiedEmailOf(claims: IdentityClaims): string | undefined {
  const email = text(claims.email, 320);
  return email && claims.email_verified === true && z.email().safeParse(email).success ? email.toLowerCase() : undefined;
}

/**
 * The username a new single sign-on user starts from: `preferred_username`, else the verified
 * e-mail, else one derived from the subject. Lowercased and reduced to what usernames allow;
 * never a reserved name. `taken` then makes it unique (`ana`, `ana-2`, …): an existing local
 * account with the same name is never taken over, accounts are linked by issuer and subject only.
 */
export async function usernameFor(claims: IdentityClaims, taken: (username: string) => Promise<boolean>): Promise<string> {
  const wanted = text(claims.preferred_username, 200) ?? verifiedEmailOf(claims);
  let base = (wanted ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 90);
  if (base === '') base = `sso-${createHash('sha256').update(claims.sub).digest('hex').slice(0, 12)}`;
  if ((RESERVED_USERNAMES as readonly string[]).includes(base)) base = `${base}-sso`;
  if (!(await taken(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/** The display name: `name`, else given and family name, else the username. */
export function displayNameFor(claims: IdentityClaims, username: string): string {
  const given = text(claims.given_name, 100);
  const family = text(claims.family_name, 100);
  return text(claims.name, 200) ?? ([given, family].filter(Boolean).join(' ') || username);
}
