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
import { PERMISSIONS, type Permission } from './route-table.js';

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

/**
 * Who made a request, and what they may do. Today the admin token (as a bearer token, or the
 * session signing in with it started) holds every permission; users, roles and API tokens will
 * be principals with fewer.
 */
export interface Principal {
  kind: 'admin-token' | 'session';
  permissions: ReadonlySet<Permission>;
}

/** The admin holds every permission. */
export const ADMIN_PERMISSIONS: ReadonlySet<Permission> = new Set(PERMISSIONS);

/** `actor`: who the audit log names for changes this request makes (read with actorOf). */
export type AuthEnv = { Variables: { authVia: AuthVia; principal: Principal; actor: Actor } };

/** The actor the `/api` auth found for this request; only routes behind it may ask. */
export function actorOf(c: Context): Actor {
  const actor = (c as Context<AuthEnv>).get('actor');
  if (!actor) throw new Error('actorOf: the route is not behind the /api auth');
  return actor;
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
 * Accepts the admin token as `Authorization: Bearer <token>` (CLI, curl, scripts), or a valid
 * session cookie (the editor). A request that sends an Authorization header is judged by it
 * alone; its failures count against the client address in `tokenLimiter`, and an address over
 * the limit is refused (429) even with the right token, so guessing gets no answer at all.
 * Cookie-authenticated requests must be addressed to a trusted host (DNS-rebinding defence),
 * and those that change something also pass `guardMutation` (JSON body, same origin): a cookie
 * is sent by the browser whoever made the page, a header is not.
 */
export function adminAuthenticator(opts: {
  adminToken: string;
  sessions: SessionManager;
  publicOrigin?: string;
  guardMutation: (c: Context) => Promise<void>;
  tokenLimiter: FailureLimiter;
  log: Logger;
}): Authenticate {
  return async (c) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const address = clientAddress(c);
      const key = limitKeyOf(address);
      const reqId = c.get('requestId');
      const wait = opts.tokenLimiter.retryAfterSeconds(key);
      if (wait > 0) throw tooManyTokenFailures(wait);
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !safeEqual(match[1]!.trim(), opts.adminToken)) {
        await opts.tokenLimiter.fail(key, reqId);
        opts.log.warn({ reqId, address, path: c.req.path }, 'API request refused: wrong bearer token');
        throw new UnauthorizedError('invalid bearer token');
      }
      await opts.tokenLimiter.reset(key, reqId); // no write unless this address had failures
      c.set('authVia', 'bearer');
      c.set('actor', { name: 'admin', via: 'token', address });
      return { kind: 'admin-token', permissions: ADMIN_PERMISSIONS };
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    assertTrustedHost(c, opts.publicOrigin);
    if (!(await opts.sessions.resolve(cookie))) {
      clearSessionCookie(c, isHttpsRequest(c, opts.publicOrigin));
      throw new UnauthorizedError('session expired or signed out; sign in again');
    }
    if (!SAFE_METHODS.has(c.req.method)) await opts.guardMutation(c);
    c.set('authVia', 'cookie');
    c.set('actor', { name: 'admin', via: 'session', address: clientAddress(c) });
    return { kind: 'session', permissions: ADMIN_PERMISSIONS };
  };
}
