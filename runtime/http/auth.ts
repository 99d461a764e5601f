import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { UnauthorizedError } from '../../shared/errors.js';
import { SAFE_METHODS } from './origin-check.js';
import { clearSessionCookie, isHttpsRequest, SESSION_COOKIE } from './session-cookie.js';
import type { SessionManager } from './sessions.js';

/** Compares two strings in constant time (digests first, so the length does not leak). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * The admin token: `override` (SALVE_ADMIN_TOKEN) if given; else the one saved in
 * `<data>/admin-token`; else a new random one written there with mode 0600.
 */
export function ensureAdminToken(dataDir: string, override: string | undefined): { token: string; created: boolean } {
  if (override) return { token: override, created: false };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, created: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}

/** How a request to `/api` was authenticated (read by handlers as `c.get('authVia')`). */
export type AuthVia = 'bearer' | 'cookie';
export type AuthEnv = { Variables: { authVia: AuthVia } };

/**
 * Requires the admin token as `Authorization: Bearer <token>` (CLI, curl, scripts), or a valid
 * session cookie (the editor). A request that sends an Authorization header is judged by it
 * alone. Cookie-authenticated requests that change something also pass `guardMutation` (JSON
 * body, same origin): a cookie is sent by the browser whoever made the page, a header is not.
 */
export function apiAuth(opts: {
  adminToken: string;
  sessions: SessionManager;
  publicOrigin?: string;
  guardMutation: (c: Context) => Promise<void>;
}): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !safeEqual(match[1]!.trim(), opts.adminToken)) throw new UnauthorizedError('invalid bearer token');
      c.set('authVia', 'bearer');
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie === undefined) {
      throw new UnauthorizedError('authentication required: send Authorization: Bearer <admin token>, or sign in with POST /api/session');
    }
    if (!(await opts.sessions.resolve(cookie))) {
      clearSessionCookie(c, isHttpsRequest(c, opts.publicOrigin));
      throw new UnauthorizedError('session expired or signed out; sign in again');
    }
    if (!SAFE_METHODS.has(c.req.method)) await opts.guardMutation(c);
    c.set('authVia', 'cookie');
    return next();
  };
}
