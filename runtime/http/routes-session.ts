import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { SessionStatus, SignInHint } from '../../shared/api-views.js';
import { TooManyRequestsError, UnauthorizedError } from '../../shared/errors.js';
import { PasswordSignInSchema } from '../../shared/people.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { safeEqual } from '../../nodes/safe-equal.js';
import { tooManyTokenFailures, type AuthEnv } from './auth.js';
import { clientAddress, limitKeyOf } from './client-address.js';
import { assertTrustedHost } from './host-check.js';
import { assertSameOrigin, ownOrigins } from './origin-check.js';
import type { FailureLimiter } from './rate-limit.js';
import { clearSessionCookie, isHttpsRequest, SESSION_COOKIE, setSessionCookie } from './session-cookie.js';
import type { SessionManager } from './sessions.js';
import { verifyPassword } from './passwords.js';
import { parseBody } from './query.js';
import { readJsonBody } from './raw-body.js';

const AdminTokenSignInSchema = z.strictObject({
  token: z.string({ error: 'token is required: the admin token' }).min(1, 'token is required: the admin token').max(1024),
});

/** `POST /api/session`: a username and password, or the admin token (break-glass). */
export const SignInSchema = z.union([PasswordSignInSchema, AdminTokenSignInSchema]);

/**
 * Parses the sign-in body as the form its keys say (`token`: the admin token; otherwise a
 * password), so that a mistake is named in that form's fields rather than as "matches neither".
 */
// biome-ignore lint/suspicious/noExplicitAny: any Env, as validJson: the middleware fits the Env of whichever app uses it
const validSignIn: MiddlewareHandler<any, string, { in: { json: z.input<typeof SignInSchema> }; out: { json: z.output<typeof SignInSchema> } }> = async (
  c,
  next,
) => {
  const { json } = await readJsonBody(c as Context, { limitBytes: 4096 });
  const tokenForm = typeof json === 'object' && json !== null && Object.hasOwn(json, 'token');
  const what = 'sign-in: send {"username", "password"}, or {"token"} with the admin token';
  c.req.addValidatedData('json', parseBody(json, tokenForm ? AdminTokenSignInSchema : PasswordSignInSchema, what));
  await next();
};

/** Failed password sign-ins (and wrong current passwords) allowed per client address per minute. */
export const PASSWORD_FAILURES_PER_MINUTE = 10;

export function tooManyPasswordFailures(wait: number): TooManyRequestsError {
  return new TooManyRequestsError(`too many failed sign-ins from this address; retry in ${wait} s`, wait);
}

/** The one answer to a wrong username, a wrong password and an account without a password: which it was is not told. */
const WRONG_PASSWORD = 'wrong username or password';

export interface SessionRouteOptions {
  adminToken: string;
  /** Where the admin token is saved (`<data>/admin-token`); undefined when SALVE_ADMIN_TOKEN gives it. */
  adminTokenFile?: string;
  sessions: SessionManager;
  /** Failed uses of the admin token per client address (shared with bearer authentication). */
  tokenLimiter: FailureLimiter;
  /** Failed password sign-ins per client address (shared with changing one's password). */
  passwordLimiter: FailureLimiter;
  store: Store;
  publicOrigin?: string;
  guardMutation: (c: Context) => Promise<void>;
  log: Logger;
  /** Single sign-on, when configured: the sign-in page offers it with this label. */
  sso?: { label: string };
}

/**
 * `POST /api/session` (sign in with a password, or the admin token), `DELETE /api/session` (sign out) and `GET /api/session/hint`
 * (where the admin token is). All public: signing in is how one gets credentials, signing out must
 * work with an expired session too, and the sign-in page names the token file before signing in.
 */
export function publicSessionRoutes(opts: SessionRouteOptions) {
  /** What is checked before the sign-in body is even read. */
  const beforeSignIn: MiddlewareHandler = async (c, next) => {
    // A rebinding page must not even get to guess: checked before the token is looked at.
    assertTrustedHost(c, opts.publicOrigin);
    // An address over either limit is refused before its body is read, whichever form it sends:
    // guessing one credential from an address stops both for the rest of the minute.
    const key = limitKeyOf(clientAddress(c));
    // A sign-in right after a start waits for the saved counts (read back once; then no wait at all).
    await Promise.all([opts.tokenLimiter.ready, opts.passwordLimiter.ready]);
    const tokenWait = opts.tokenLimiter.retryAfterSeconds(key);
    if (tokenWait > 0) throw tooManyTokenFailures(tokenWait);
    const passwordWait = opts.passwordLimiter.retryAfterSeconds(key);
    if (passwordWait > 0) throw tooManyPasswordFailures(passwordWait);
    // No browser sends a cross-site sign-in for us; refuse it before looking at the token.
    assertSameOrigin(c, ownOrigins(c, opts.publicOrigin), { requireBrowser: false });
    await next();
  };

  return new Hono()
    .get('/hint', (c) => {
      // The page asking is about to sign in: same host check, so a rebinding page learns nothing.
      assertTrustedHost(c, opts.publicOrigin);
      return c.json({ ...(opts.adminTokenFile ? { tokenFile: opts.adminTokenFile } : {}), passwords: true, ...(opts.sso ? { sso: opts.sso } : {}) } satisfies SignInHint);
    })
    .post('/', beforeSignIn, validSignIn, async (c) => {
      const body = c.req.valid('json');
      const address = clientAddress(c);
      const key = limitKeyOf(address);
      const reqId = c.get('requestId');
      let session: { id: string; cookieValue: string };
      if ('token' in body) {
        if (!safeEqual(body.token, opts.adminToken)) {
          await opts.tokenLimiter.fail(key, reqId);
          // Bounded by the limiter above: an address gets a few refusals a minute, then 429s (not recorded).
          await opts.sessions.signInRefused(address);
          opts.log.warn({ reqId, address }, 'sign-in refused: wrong admin token');
          throw new UnauthorizedError('wrong admin token');
        }
        await opts.tokenLimiter.reset(key, reqId);
        // Said in the audit row: "admin" alone could be read as a person of that name.
        session = await opts.sessions.create({ name: 'admin', via: 'session', address }, { details: { method: 'admin-token' } });
      } else {
        const username = body.username.trim().toLowerCase();
        const user = await opts.store.read((tx) => tx.people.userByUsername(username));
        // Unknown users and accounts without a password are checked against a decoy hash: the same work, the same answer.
        const ok = await verifyPassword(body.password, user?.kind === 'person' ? user.passwordHash : undefined);
        if (!ok || !user || user.disabled) {
          const reason = !user ? 'unknown user' : !user.passwordHash || user.kind !== 'person' ? 'no password' : !ok ? 'wrong password' : 'disabled';
          await opts.passwordLimiter.fail(key, reqId);
          await opts.sessions.signInRefused(address, { username: username.slice(0, 100), reason });
          opts.log.warn({ reqId, address, reason }, 'sign-in refused');
          // Only someone who knows the password learns that the account is disabled.
          throw new UnauthorizedError(ok ? 'this account is disabled' : WRONG_PASSWORD);
        }
        await opts.passwordLimiter.reset(key, reqId);
        const actor = { name: user.username, via: 'session' as const, address, identity: `user:${user.id}` };
        session = await opts.sessions.create(actor, { userId: user.id, userAgent: c.req.header('user-agent'), details: { username: user.username } });
      }
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
        // The audit names whose session ends: its user, or the admin token's.
        const user = await opts.store.read(async (tx) => {
          const userId = (await opts.sessions.lookup(tx, cookie))?.userId;
          return userId ? tx.people.user(userId) : undefined;
        });
        const address = clientAddress(c);
        const actor = user ? { name: user.username, via: 'session' as const, address, identity: `user:${user.id}` } : { name: 'admin', via: 'session' as const, address };
        const ended = await opts.sessions.destroy(cookie, actor);
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
