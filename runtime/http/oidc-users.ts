import type { Actor } from '../../shared/audit.js';
import { newId } from '../store/ids.js';
import type { UserRow } from '../store/people-repo.js';
import type { Store } from '../store/store.js';
import { displayNameFor, groupsOf, type IdentityClaims, mapGroups, type RoleMap, usernameFor, verifiedEmailOf } from './oidc-mapping.js';

export type OidcUserOutcome =
  | { ok: true; user: UserRow; created: boolean; unknownTeams: string[] }
  | { ok: false; reason: 'account_disabled'; user: UserRow };

const rolesSummary = (rows: { teamId: string; role: string }[]) =>
  rows
    .map((r) => `${r.teamId}:${r.role}`)
    .sort()
    .join(',');

/**
 * The Salve user a validated single sign-on belongs to, in one transaction with its audit rows:
 * found by issuer and subject (never by name or e-mail), created on the first sign-in. At every
 * sign-in the groups claim is mapped again: the user's `oidc` roles are replaced (roles an admin
 * gave by hand stay), and when the map names an admin group, it decides the admin flag. A
 * disabled user is refused and nothing changes. Teams the map names that do not exist are
 * skipped (returned, for the log): sign-in never creates teams.
 */
export async function signInOidcUser(
  store: Store,
  input: { claims: IdentityClaims; issuer: string; groupsClaim: string; roleMap: RoleMap; address: string; now: number },
): Promise<OidcUserOutcome> {
  const { claims, issuer, now } = input;
  const mapped = mapGroups(groupsOf(claims[input.groupsClaim]), input.roleMap);
  const mapDecidesAdmin = Object.values(input.roleMap).includes('admin');
  return store.write(async (tx): Promise<OidcUserOutcome> => {
    const existing = await tx.people.userByOidc(issuer, claims.sub);
    if (existing?.disabled) return { ok: false, reason: 'account_disabled', user: existing };
    const email = verifiedEmailOf(claims);
    let user: UserRow;
    if (!existing) {
      // Another process may take the name meanwhile (PostgreSQL): insertUser then refuses it with a
      // ConflictError, and this sign-in fails (the callback's server_error) and may simply be tried again.
      const username = await usernameFor(claims, async (name) => (await tx.people.userByUsername(name)) !== undefined);
      user = {
        id: newId('us', now),
        kind: 'person',
        username,
        displayName: displayNameFor(claims, username),
        email: email ?? null,
        passwordHash: null,
        oidcIssuer: issuer,
        oidcSubject: claims.sub,
        admin: mapDecidesAdmin && mapped.admin,
        disabled: false,
        createdAt: now,
        updatedAt: now,
        lastSignInAt: now,
      };
      await tx.people.insertUser(user);
    } else {
      user = (await tx.people.updateUser(existing.id, {
        displayName: displayNameFor(claims, existing.username),
        // The provider is the source of the address: an unverified one is not kept.
        email: claims.email === undefined ? existing.email : (email ?? null),
        admin: mapDecidesAdmin ? mapped.admin : existing.admin,
        updatedAt: now,
        lastSignInAt: now,
      }))!;
    }
    const actor: Actor = { name: user.username, via: 'session', address: input.address, identity: `user:${user.id}` };
    if (!existing) {
      await tx.audit.append({
        actor,
        action: 'user.create',
        target: user.id,
        details: { source: 'oidc', issuer },
        after: { username: user.username, displayName: user.displayName, admin: user.admin },
        now,
      });
    } else if (existing.admin !== user.admin) {
      await tx.audit.append({ actor, action: 'user.update', target: user.id, details: { source: 'oidc' }, before: { admin: existing.admin }, after: { admin: user.admin }, now });
    }
    const unknownTeams: string[] = [];
    for (const teamId of new Set(mapped.memberships.map((m) => m.teamId))) if (!(await tx.people.team(teamId))) unknownTeams.push(teamId);
    const rows = mapped.memberships.filter((m) => !unknownTeams.includes(m.teamId));
    const before = (await tx.people.membershipsOf(user.id)).filter((m) => m.origin === 'oidc');
    if (rolesSummary(before) !== rolesSummary(rows)) {
      await tx.people.replaceMemberships(user.id, 'oidc', rows);
      await tx.audit.append({
        actor,
        action: 'user.roles',
        target: user.id,
        details: { source: 'oidc' },
        before: { roles: rolesSummary(before) },
        after: { roles: rolesSummary(rows) },
        now,
      });
    }
    return { ok: true, user, created: !existing, unknownTeams };
  });
}
