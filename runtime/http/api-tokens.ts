import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../shared/audit.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { ROLES, type ApiTokenView, type CreateApiTokenSchema, type Role } from '../../shared/people.js';
import type { Logger } from '../log.js';
import type { ApiTokenRow } from '../store/api-tokens-repo.js';
import { newId } from '../store/ids.js';
import type { Store } from '../store/store.js';
import { API_TOKEN_PREFIX, type ApiTokenResolver } from './auth.js';
import { principalOf, type Principal } from './roles.js';
import { userPrincipal } from './user-principal.js';

type CreateApiToken = z.output<typeof CreateApiTokenSchema>;

/** `salve_pat_` and 32 random bytes in base64url: anything else is not looked up. */
const TOKEN_VALUE = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);
/** `last_used_at` is written at most this often per token: one write per request would be waste. */
const TOUCH_EVERY_MS = 60_000;
const DAY_MS = 24 * 3600_000;

/** What the database keeps of a token: its SHA-256, never the value. */
export const apiTokenHash = (value: string) => createHash('sha256').update(value).digest('hex');

const StoredRoles = z.array(z.enum(ROLES));
/** A token's roles as stored (JSON); a row that does not parse gives no roles at all. */
const rolesOf = (row: ApiTokenRow): Role[] => {
  try {
    return StoredRoles.parse(JSON.parse(row.roles));
  } catch {
    return [];
  }
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function tokenView(row: ApiTokenRow, username: string): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    userId: row.userId,
    username,
    team: row.teamId,
    roles: rolesOf(row),
    createdAt: iso(row.createdAt)!,
    expiresAt: iso(row.expiresAt)!,
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

const invalid = (field: string, message: string) => new ValidationError(`${field}: ${message}`, [{ path: [field], message }]);

/**
 * API tokens (`Authorization: Bearer salve_pat_…`) of users and service accounts: scoped to one
 * team and some roles, with an expiry. A token never gives more than its owner holds in its team
 * at the time of use, and never the admin permission (an admin's token is limited to its team and
 * roles like anyone's).
 */
export class ApiTokenService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    /** Where a failed bookkeeping write (a token's last use) is said; without it, it is dropped. */
    private readonly log?: Logger,
  ) {}

  /** The caller's own tokens; every token for an admin. Newest first. */
  async list(caller: Principal): Promise<ApiTokenView[]> {
    if (!caller.admin && !caller.user) return [];
    const { users, rows } = await this.store.read(async (tx) => ({
      users: await tx.people.listUsers(),
      rows: await tx.apiTokens.list(caller.admin ? undefined : caller.user!.id),
    }));
    const usernames = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => tokenView(r, usernames.get(r.userId) ?? '(deleted user)'));
  }

  /**
   * Makes a token; its value is in the answer only. A person makes tokens for themself, in a team
   * where they hold every requested role; an admin may also make them for a service account
   * (`userId`), which must hold the roles.
   */
  async create(caller: Principal, input: CreateApiToken, actor: Actor): Promise<{ token: string; item: ApiTokenView }> {
    if (caller.kind === 'api-token') throw new ForbiddenError('an API token cannot make API tokens: sign in to make one');
    if (input.userId !== undefined && !caller.admin) throw new ForbiddenError('userId: only an admin makes tokens for a service account');
    const ownerId = input.userId ?? caller.user?.id;
    if (ownerId === undefined) {
      throw invalid('userId', 'the admin token has no account of its own: name the service account the token is for (userId)');
    }
    const { team, owner } = await this.store.read(async (tx) => ({
      team: await tx.people.team(input.team),
      owner: await userPrincipal(tx, ownerId, 'api-token'),
    }));
    if (!team) throw invalid('team', `no team "${input.team}"`);
    if (!owner) throw invalid('userId', `no enabled user "${ownerId}"`);
    if (input.userId !== undefined && input.userId !== caller.user?.id && owner.user.kind !== 'service') {
      throw invalid('userId', 'an admin makes tokens for service accounts only; a person makes their own');
    }
    const held = owner.principal.admin ? new Set(ROLES) : (owner.principal.teamRoles.get(input.team) ?? new Set());
    const missing = input.roles.filter((r) => !held.has(r));
    if (missing.length > 0) {
      const message = `${owner.user.username} does not hold ${missing.join(', ')} in team "${input.team}"`;
      // A person asking beyond their roles is refused; an admin naming a service account's missing roles made a mistake in the input.
      if (input.userId === undefined) throw new ForbiddenError(`a token cannot give more than its owner holds: ${message}`);
      throw invalid('roles', `${message}: give it the roles first (PUT /api/users/${ownerId}/roles)`);
    }
    const now = this.now();
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: ApiTokenRow = {
      id: newId('tk', now),
      userId: ownerId,
      name: input.name,
      tokenHash: apiTokenHash(token),
      teamId: input.team,
      roles: JSON.stringify([...new Set(input.roles)].sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b))),
      createdAt: now,
      expiresAt: now + input.expiresInDays * DAY_MS,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.write(async (tx) => {
      await tx.apiTokens.insert(row);
      await tx.audit.append({
        actor,
        action: 'token.create',
        target: row.id,
        after: { name: row.name, userId: row.userId, team: row.teamId, roles: rolesOf(row), expiresAt: iso(row.expiresAt) },
        now,
      });
    });
    return { token, item: tokenView(row, owner.user.username) };
  }

  /** Revokes a token of the caller (an admin: any token). 404 for anyone else's, so ids reveal nothing. */
  async revoke(caller: Principal, id: string, actor: Actor): Promise<void> {
    const now = this.now();
    await this.store.write(async (tx) => {
      const row = await tx.apiTokens.byId(id);
      if (!row || (!caller.admin && row.userId !== caller.user?.id)) throw new NotFoundError(`no API token "${id}" of yours`);
      if (await tx.apiTokens.revoke(id, now)) {
        await tx.audit.append({ actor, action: 'token.revoke', target: id, details: { name: row.name, userId: row.userId }, now });
      }
    });
  }

  /**
   * Finds who a token stands for: its owner's roles now in the token's team, limited to the
   * token's roles (an admin owner counts as holding every role there). Unknown, revoked or expired
   * tokens and disabled owners give undefined (401). Every request with a token comes here: the
   * token and its owner are read in one transaction, from the database each time, so a token
   * revoked (or an owner disabled) on one process is refused by every other at once.
   */
  readonly resolve: ApiTokenResolver = async (value) => {
    if (!TOKEN_VALUE.test(value)) return undefined;
    const now = this.now();
    const found = await this.store.read(async (tx) => {
      // Looking up by hash needs no constant-time compare: timing can at most reveal a hash prefix.
      const row = await tx.apiTokens.byHash(apiTokenHash(value));
      if (!row || row.revokedAt !== null || now >= row.expiresAt) return undefined;
      const owner = await userPrincipal(tx, row.userId, 'api-token');
      return owner && { row, owner };
    });
    if (!found) return undefined;
    const { row, owner } = found;
    const held = owner.principal.admin ? new Set(ROLES) : (owner.principal.teamRoles.get(row.teamId) ?? new Set());
    const roles = rolesOf(row).filter((r) => held.has(r));
    const principal = principalOf({
      kind: 'api-token',
      user: owner.principal.user,
      admin: false,
      teamRoles: roles.length > 0 ? new Map([[row.teamId, new Set(roles)]]) : new Map(),
    });
    // Bookkeeping after the answer (at most once a minute per token): the request never waits on it, nor fails with it.
    if (now - (row.lastUsedAt ?? 0) >= TOUCH_EVERY_MS) {
      this.store.writeEventually((tx) => tx.apiTokens.touch(row.id, now)).catch((err: unknown) => this.log?.warn({ err, token: row.id }, 'could not record an API token use'));
    }
    return { principal, actorName: owner.user.username };
  };
}
