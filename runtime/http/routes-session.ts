import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { SessionStatus, SignInHint } from '../../shared/api-views.js';
import { UnauthorizedError } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import { safeEqual } from '../../nodes/safe-equal.js';
import { tooManyTokenFailures, type AuthEnv } from './auth.js';
import { clientAddress, limitKeyOf } from './client-address.js';
import { assertTrustedHost } from './host-check.js';
import { assertSameOrigin, ownOrigins } from './origin-check.js';
import type { FailureLimiter } from './rate-limit.js';
import { clearSessionCookie, isHttpsRequest, SESSION_COOKIE, setSessionCookie } from './session-cookie.js';
import type { SessionManager } from './sessions.js';
import { validJson } from './validated.js';

export const SignInSchema = z.strictObject({
  token: z.string({ error: 'token is required: the admin token' }).min(1, 'token is required: the admin token').max(1024),
});

export interface SessionRouteOptions {
  adminToken: string;
  /** Where the admin token is saved (`<data>/admin-token`); undefined when SALVE_ADMIN_TOKEN gives it. */
  adminTokenFile?: string;
  sessions: SessionManager;
  /** Failed uses of the admin token per client address (shared with bearer authentication). */
  tokenLimiter: FailureLimiter;
  publicOrigin?: string;
  guardMutation: (c: Context) => Promise<void>;
  log: Logger;
  /** Single sign-on, when configured: the sign-in page offers it with this label. */
  sso?: { label: string };
}

/**
 * `POST /api/session` (sign in), `DELETE /api/session` (sign out) and `GET /api/session/hint`
 * (where the admin token is). All public: signing in is how one gets credentials, signing out must
 * work with an expired session too, and the sign-in page names the token file before signing in.
 */
export function publicSessionRoutes(opts: SessionRouteOptions) {
  /** What is checked before the sign-in body is even read. */
  const beforeSignIn: MiddlewareHandler = async (c, next) => {
    // A rebinding page must not even get to guess: checked before the token is looked at.
    assertTrustedHost(c, opts.publicOrigin);
    const wait = opts.tokenLimiter.retryAfterSeconds(limitKeyOf(clientAddress(c)));
    if (wait > 0) throw tooManyTokenFailures(wait);
    // No browser sends a cross-site sign-in for us; refuse it before looking at the token.
    assertSameOrigin(c, ownOrigins(c, opts.publicOrigin), { requireBrowser: false });
    await next();
  };

  return new Hono()
    .get('/hint', (c) => {
      // The page asking is about to sign in: same host check, so a rebinding page learns nothing.
      assertTrustedHost(c, opts.publicOrigin);
      return c.json({ ...(opts.adminTokenFile ? { tokenFile: opts.adminTokenFile } : {}), ...(opts.sso ? { sso: opts.sso } : {}) } satisfies SignInHint);
    })
    .post('/', beforeSignIn, validJson(SignInSchema, 4096), async (c) => {
      const address = clientAddress(c);
      const key = limitKeyOf(address);
      const reqId = c.get('requestId');
      if (!safeEqual(c.req.valid('json').token, opts.adminToken)) {
        await opts.tokenLimiter.fail(key, reqId);
        // Bounded by the limiter above: an address gets a few refusals a minute, then 429s (not recorded).
        await opts.sessions.signInRefused(address);
        opts.log.warn({ reqId, address }, 'sign-in refused: wrong admin token');
        throw new UnauthorizedError('wrong admin token');
      }
      await opts.tokenLimiter.reset(key, reqId);
      const session = await opts.sessions.create({ name: 'admin', via: 'session', address });
      setSessionCookie(c, session.cookieValue, isHttpsRequest(c, opts.publicOrigin));
      opts.log.info({ reqId, session: session.id, address }, 'signed in');
      return c.json({ authenticated: true as const });
    })
    .delete('/', async (c) => {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie !== undefined) {
        // The browser sends the cookie whoever made the page: the same checks as any cookie mutation.
        assertTrustedHost(c, opts.publicOrigin);
        await opts.guardMutation(c);
        const ended = await opts.sessions.destroy(cookie, { name: 'admin', via: 'session', address: clientAddress(c) });
        if (ended) opts.log.info({ reqId: c.get('requestId'), session: ended }, 'signed out');
      }
      clearSessionCookie(c, isHttpsRequest(c, opts.publicOrigin));
      return c.body(null, 204);
    });
}

/** `GET /api/session`, behind the `/api` auth: how this request was authenticated. */
export function sessionStatusRoute() {
  return new Hono<AuthEnv>().get('/', (c) => c.json({ authenticated: true, via: c.get('authVia') } satisfies SessionStatus));
}
