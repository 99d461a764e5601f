import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'hono';
import type { Actor } from '../../shared/audit.js';
import { getCookie } from 'hono/cookie';
import { safeEqual } from '../../nodes/safe-equal.js';
import { TooManyRequestsError, UnauthorizedError } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import { clientAddress, limitKeyOf } from './client-address.js';
import { assertTrustedHost } from './host-check.js';
import { SAFE_METHODS } from './origin-check.js';
import type { FailureLimiter } from './rate-limit.js';
import { clearSessionCookie, isHttpsRequest, SESSION_COOKIE } from './session-cookie.js';
import type { SessionManager } from './sessions.js';
import type { Store } from '../store/store.js';
import { bootstrapAdmin, identityOf, metricsReader, type Principal } from './roles.js';
import { userPrincipal } from './user-principal.js';
import type { Decider } from '../engine/approvals/rules.js';

/** Where Prometheus scrapes; the only route the metrics token is good for. */
export const METRICS_PATH = '/metrics';

/**
 * The admin token: `override` (SALVE_ADMIN_TOKEN) if given; else the one saved in
 * `<data>/admin-token`; else a new random one written there with mode 0600.
 */
export function ensureAdminToken(dataDir: string, override: string | undefined): { token: string; created: boolean; file?: string } {
  if (override) return { token: override, created: false };
  const file = resolve(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, created: false, file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true, file };
}

/** How a request to `/api` was authenticated (read by handlers as `c.get('authVia')`). */
type AuthVia = 'bearer' | 'cookie';

export { ADMIN_PERMISSIONS, type Principal } from './roles.js';

/** `actor`: who the audit log names for changes this request makes (read with actorOf). */
export type AuthEnv = { Variables: { authVia: AuthVia; principal: Principal; actor: Actor; team: string } };

/** The actor the `/api` auth found for this request; only routes behind it may ask. */
export function actorOf(c: Context): Actor {
  const actor = (c as Context<AuthEnv>).get('actor');
  if (!actor) throw new Error('actorOf: the route is not behind the /api auth');
  return actor;
}

/**
 * Who decides an approval from this request (engine.decide): the audit actor, the stable
 * identity decisions are counted by, and the principal whose roles the rules check.
 */
export function deciderOf(c: Context): Decider {
  const principal = (c as Context<AuthEnv>).get('principal');
  return { actor: actorOf(c), identity: identityOf(principal), principal };
}

/**
 * The answer to an address that has guessed the admin token too often (sign-in or bearer: both
 * count against the same budget, because both guess the same secret).
 */
export function tooManyTokenFailures(wait: number): TooManyRequestsError {
  return new TooManyRequestsError(`too many failed attempts with the admin token from this address; retry in ${wait} s`, wait);
}

/** Finds who made a request: undefined when it sent no credentials; throws (401, 403, 415, 429) when they are not good. */
export type Authenticate = (c: Context<AuthEnv>) => Promise<Principal | undefined>;

/**
 * Looks up an API token (`salve_pat_…`): the principal it stands for, limited to its team and
 * roles, and the name the audit log gives it; undefined when it is unknown, expired, revoked or
 * its owner is disabled. Records its use (last-used time).
 */
export type ApiTokenResolver = (token: string) => Promise<{ principal: Principal; actorName: string } | undefined>;

/** API tokens start with this; anything else sent as a bearer token is compared with the admin token. */
export const API_TOKEN_PREFIX = 'salve_pat_';

/**
 * Finds who made a request. Bearer tokens (CLI, curl, scripts): the bootstrap admin token, or an
 * API token. A request that sends an Authorization header is judged by it alone; its failures
 * count against the client address in `tokenLimiter`, and an address over the limit is refused
 * (429) even with the right token, so guessing gets no answer at all. A session cookie (the
 * editor): of a user, or of the admin token. Cookie-authenticated requests must be addressed to
 * a trusted host (DNS-rebinding defence), and those that change something also pass
 * `guardMutation` (JSON body, same origin): a cookie is sent by the browser whoever made the
 * page, a header is not.
 */
export function requestAuthenticator(opts: {
  adminToken: string;
  /** SALVE_METRICS_TOKEN: a bearer token good for GET /metrics only. */
  metricsToken?: string;
  sessions: SessionManager;
  store: Store;
  apiTokens?: ApiTokenResolver;
  publicOrigin?: string;
  guardMutation: (c: Context) => Promise<void>;
  tokenLimiter: FailureLimiter;
  log: Logger;
}): Authenticate {
  // Once an admin account exists, the admin token is the break-glass credential, and is named so.
  const adminVia = (hasEnabledAdmin: boolean, usual: 'token' | 'session') => (hasEnabledAdmin ? 'break-glass' : usual);
  const bearer = async (c: Context<AuthEnv>, header: string): Promise<Principal> => {
    const address = clientAddress(c);
    const key = limitKeyOf(address);
    const reqId = c.get('requestId');
    // A guess right after a start waits for the saved counts (read back once; then no wait at all).
    await opts.tokenLimiter.ready;
    const wait = opts.tokenLimiter.retryAfterSeconds(key);
    if (wait > 0) throw tooManyTokenFailures(wait);
    const value = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const refuse = async (why: string) => {
      await opts.tokenLimiter.fail(key, reqId);
      opts.log.warn({ reqId, address, path: c.req.path }, `API request refused: ${why}`);
      return new UnauthorizedError('invalid bearer token');
    };
    if (value?.startsWith(API_TOKEN_PREFIX) && opts.apiTokens) {
      const found = await opts.apiTokens(value);
      if (!found) throw await refuse('unknown, expired or revoked API token');
      await opts.tokenLimiter.reset(key, reqId);
      c.set('authVia', 'bearer');
      c.set('actor', { name: found.actorName, via: 'token', address, identity: identityOf(found.principal) });
      return found.principal;
    }
    // The metrics token is looked at on the metrics route alone: anywhere else it is a wrong token.
    if (value !== undefined && opts.metricsToken && c.req.path === METRICS_PATH && safeEqual(value, opts.metricsToken)) {
      await opts.tokenLimiter.reset(key, reqId);
      c.set('authVia', 'bearer');
      c.set('actor', { name: 'metrics', via: 'token', address });
      return metricsReader();
    }
    if (value === undefined || !safeEqual(value, opts.adminToken)) throw await refuse('wrong bearer token');
    await opts.tokenLimiter.reset(key, reqId); // no write unless this address had failures
    const hasEnabledAdmin = await opts.store.read((tx) => tx.people.hasEnabledAdmin());
    c.set('authVia', 'bearer');
    c.set('actor', { name: 'admin', via: adminVia(hasEnabledAdmin, 'token'), address, identity: 'admin' });
    return bootstrapAdmin('admin-token');
  };

  return async (c) => {
    const header = c.req.header('authorization');
    if (header !== undefined) return bearer(c, header);
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    assertTrustedHost(c, opts.publicOrigin);
    // One read per request: the session, and its user (or, for the admin token's, whether an admin
    // account exists); none for a value no sign-in handed out.
    const looked = !opts.sessions.wellFormed(cookie) ? undefined : await opts.store.read(async (tx) => {
      const row = await opts.sessions.lookup(tx, cookie);
      if (!row) return undefined;
      if (row.userId) return { row, found: await userPrincipal(tx, row.userId, 'session'), hasEnabledAdmin: false };
      return { row, found: undefined, hasEnabledAdmin: await tx.people.hasEnabledAdmin() };
    });
    const session = opts.sessions.accept(looked?.row);
    const found = session ? looked?.found : undefined;
    if (!session || (session.userId && !found)) {
      clearSessionCookie(c, isHttpsRequest(c, opts.publicOrigin));
      throw new UnauthorizedError(session ? 'this account is disabled; ask an admin' : 'session expired or signed out; sign in again');
    }
    if (!SAFE_METHODS.has(c.req.method)) await opts.guardMutation(c);
    c.set('authVia', 'cookie');
    if (!found) {
      c.set('actor', { name: 'admin', via: adminVia(looked?.hasEnabledAdmin ?? false, 'session'), address: clientAddress(c), identity: 'admin' });
      return bootstrapAdmin('session');
    }
    c.set('actor', { name: found.user.username, via: 'session', address: clientAddress(c), identity: identityOf(found.principal) });
    return found.principal;
  };
}
