import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { z } from 'zod';
import { safeEqual } from '../../nodes/safe-equal.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { clientAddress, limitKeyOf } from './client-address.js';
import { assertTrustedHost } from './host-check.js';
import { failureOf, OIDC_CALLBACK_PATH, OIDC_TRANSACTION_MS, type OidcClient, type OidcFailure, OidcSignInError, type OidcTransaction } from './oidc.js';
import { signInOidcUser } from './oidc-users.js';
import { FailureLimiter } from './rate-limit.js';
import { setSessionCookie } from './session-cookie.js';
import type { SessionManager } from './sessions.js';

/** The settings row holding the key that signs the transaction cookie. */
const OIDC_COOKIE_KEY_SETTING = 'oidc.cookie_key';

/** The cookie that carries one sign-in's state, nonce and PKCE verifier to the callback. */
const TRANSACTION_COOKIE = 'salve_oidc';

const TransactionSchema = z.strictObject({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  verifier: z.string().min(43).max(128),
  expiresAt: z.number().int(),
});

/** Refused sign-ins recorded in the audit log per client address and minute; beyond, only logged. */
const AUDITED_FAILURES_PER_MINUTE = 20;

/** Codes the sign-in page may be sent back with beyond OidcFailure. */
type CallbackError = OidcFailure | 'sso_not_configured' | 'server_error';

export interface OidcRouteOptions {
  /** Absent when single sign-on is not configured: both routes then send the browser back to the sign-in page. */
  oidc?: OidcClient;
  sessions: SessionManager;
  store: Store;
  publicOrigin?: string;
  log: Logger;
  now: () => number;
}

/**
 * `GET /api/session/oidc/start` and `GET /api/session/oidc/callback`: single sign-on with
 * OpenID Connect (authorization code, PKCE S256, state, nonce).
 *
 * Between the two, the sign-in's secrets live in an HttpOnly cookie scoped to the callback path,
 * signed with a random key kept in the database (settings row `oidc.cookie_key`, made at the first
 * sign-in), so a restart mid-sign-in or a callback that reaches another Salve process of the same
 * database still completes. The cookie lives 10 minutes and only carries one attempt's state,
 * nonce and verifier. It is SameSite=Lax because the provider's redirect back is a cross-site navigation,
 * which a Strict cookie would not accompany; the state in it is what makes that redirect
 * unforgeable. Every outcome is a redirect: to `/` signed in, or to the sign-in page with
 * `?error=<code>`; refusals are audited as `session.sign_in_failed`.
 */
export function oidcRoutes(opts: OidcRouteOptions) {
  let cookieKey: Promise<string> | undefined;
  // Read (or made) once per process; processes that make the first key at once all end up with
  // the one stored first (insert-if-absent), so a sign-in started on one finishes on another.
  const signingKey = () =>
    (cookieKey ??= opts.store.write(async (tx) => {
      const existing = await tx.settings.get(OIDC_COOKIE_KEY_SETTING);
      if (existing) return existing;
      return tx.settings.setIfAbsent(OIDC_COOKIE_KEY_SETTING, randomBytes(32).toString('base64url'), opts.now());
    }).catch((error: unknown) => {
      // The database was away: ask again next time rather than keep the failure for ever.
      cookieKey = undefined;
      throw error;
    }));
  const secure = opts.publicOrigin?.startsWith('https:') === true;
  const cookieOptions = { path: OIDC_CALLBACK_PATH, httpOnly: true, sameSite: 'Lax', secure } as const;
  const auditLimit = new FailureLimiter({ max: AUDITED_FAILURES_PER_MINUTE, windowMs: 60_000, now: opts.now });

  const backToSignIn = (c: Context, error: CallbackError) => c.redirect(`/#/sign-in?error=${error}`, 302);

  /** Records a refused sign-in (the short code, never a token or claim) and sends the browser back. */
  const refuse = async (c: Context, failure: OidcSignInError, who?: string) => {
    const address = clientAddress(c);
    const key = limitKeyOf(address);
    opts.log.warn({ reqId: c.get('requestId'), address, code: failure.code, detail: failure.detail }, 'single sign-on refused');
    // Anyone can call the callback: past the limit, refusals are logged but no longer fill the audit log.
    if (auditLimit.retryAfterSeconds(key) === 0) {
      await auditLimit.fail(key);
      const now = opts.now();
      await opts.store.write((tx) =>
        tx.audit.append({
          actor: { name: who ?? 'unknown', via: 'session', address },
          action: 'session.sign_in_failed',
          target: 'session',
          details: { method: 'oidc', reason: failure.code },
          now,
        }),
      );
    }
    return backToSignIn(c, failure.code);
  };

  const readTransaction = async (c: Context): Promise<OidcTransaction | undefined> => {
    const raw = await getSignedCookie(c, await signingKey(), TRANSACTION_COOKIE);
    if (typeof raw !== 'string') return undefined;
    try {
      const parsed = TransactionSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };

  return new Hono()
    .get('/start', async (c) => {
      assertTrustedHost(c, opts.publicOrigin);
      if (!opts.oidc) return backToSignIn(c, 'sso_not_configured');
      let begun: Awaited<ReturnType<OidcClient['begin']>>;
      try {
        begun = await opts.oidc.begin();
      } catch (error) {
        // Discovery failed: the provider is down or misconfigured. Nothing was attempted yet, so not audited.
        const failure = failureOf(error);
        opts.log.warn({ reqId: c.get('requestId'), code: failure.code, detail: failure.detail }, 'single sign-on: the provider cannot be reached');
        return backToSignIn(c, 'provider_unreachable');
      }
      const value = Buffer.from(JSON.stringify(begun.transaction)).toString('base64url');
      await setSignedCookie(c, TRANSACTION_COOKIE, value, await signingKey(), { ...cookieOptions, maxAge: OIDC_TRANSACTION_MS / 1000 });
      c.header('cache-control', 'no-store');
      return c.redirect(begun.url.href, 302);
    })
    .get('/callback', async (c) => {
      assertTrustedHost(c, opts.publicOrigin);
      if (!opts.oidc) return backToSignIn(c, 'sso_not_configured');
      const oidc = opts.oidc;
      c.header('cache-control', 'no-store');
      // Single use: whatever happens next, this sign-in's secrets are gone from the browser.
      const transaction = await readTransaction(c);
      deleteCookie(c, TRANSACTION_COOKIE, cookieOptions);
      const query = new URL(c.req.url).searchParams;
      if (!transaction) return refuse(c, new OidcSignInError('bad_state', 'no sign-in was started in this browser (or its cookie was altered)'));
      if (opts.now() > transaction.expiresAt) return refuse(c, new OidcSignInError('expired_attempt', 'the sign-in took longer than 10 minutes'));
      if (!safeEqual(query.get('state') ?? '', transaction.state)) return refuse(c, new OidcSignInError('bad_state', 'the state does not match this browser’s sign-in'));
      let claims: Awaited<ReturnType<OidcClient['finish']>>;
      try {
        claims = await oidc.finish(query, transaction);
      } catch (error) {
        return refuse(c, failureOf(error));
      }
      try {
        const address = clientAddress(c);
        const outcome = await signInOidcUser(opts.store, {
          claims,
          issuer: String(claims.iss),
          groupsClaim: oidc.settings.groupsClaim,
          roleMap: oidc.settings.roleMap,
          address,
          now: opts.now(),
        });
        if (!outcome.ok) return refuse(c, new OidcSignInError('account_disabled', `user ${outcome.user.id} is disabled`), outcome.user.username);
        const { user } = outcome;
        if (outcome.unknownTeams.length) {
          opts.log.warn({ user: user.id, teams: outcome.unknownTeams }, 'SALVE_OIDC_ROLE_MAP names teams that do not exist; those roles were not given');
        }
        const session = await opts.sessions.create(
          { name: user.username, via: 'session', address, identity: `user:${user.id}` },
          // Said in the audit row, as refusals say it: a password sign-in and this one read alike otherwise.
          { userId: user.id, userAgent: c.req.header('user-agent'), details: { username: user.username, method: 'oidc' } },
        );
        setSessionCookie(c, session.cookieValue, secure);
        opts.log.info({ reqId: c.get('requestId'), session: session.id, user: user.id, created: outcome.created }, 'signed in with single sign-on');
        return c.redirect('/', 302);
      } catch (error) {
        // Not the provider's doing (e.g. the database is busy): the log has it, the browser a way back.
        opts.log.error({ reqId: c.get('requestId'), err: error }, 'single sign-on failed after the provider vouched for the user');
        return backToSignIn(c, 'server_error');
      }
    });
}
