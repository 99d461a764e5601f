import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { IdentityClaims, RoleMap } from './oidc-mapping.js';

/** Where the provider sends the browser back to, under SALVE_PUBLIC_ORIGIN. */
export const OIDC_CALLBACK_PATH = '/api/session/oidc/callback';

/** Single sign-on as configured (SALVE_OIDC_*), the client secret read. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  groupsClaim: string;
  roleMap: RoleMap;
  label: string;
  /** `<SALVE_PUBLIC_ORIGIN>/api/session/oidc/callback`: what is registered at the provider. */
  redirectUri: string;
}

/**
 * The single sign-on settings of a config, or undefined when SALVE_OIDC_ISSUER is not set.
 * Reads SALVE_OIDC_CLIENT_SECRET_FILE; a missing or empty file stops the start with its name
 * (the config itself has already refused a half-given configuration).
 */
export function oidcSettingsOf(config: Config, readFile: (file: string) => string = (f) => readFileSync(f, 'utf8')): OidcSettings | undefined {
  if (config.oidcIssuer === undefined) return undefined;
  let clientSecret = config.oidcClientSecret;
  if (clientSecret === undefined && config.oidcClientSecretFile !== undefined) {
    let content: string;
    try {
      content = readFile(config.oidcClientSecretFile);
    } catch (error) {
      throw new Error(`SALVE_OIDC_CLIENT_SECRET_FILE: cannot read ${config.oidcClientSecretFile}: ${(error as Error).message}`);
    }
    clientSecret = content.trim();
    if (clientSecret === '') throw new Error(`SALVE_OIDC_CLIENT_SECRET_FILE: ${config.oidcClientSecretFile} is empty`);
  }
  if (config.oidcClientId === undefined || clientSecret === undefined || config.publicOrigin === undefined) {
    throw new Error('single sign-on needs SALVE_OIDC_CLIENT_ID, a client secret and SALVE_PUBLIC_ORIGIN');
  }
  return {
    issuer: config.oidcIssuer,
    clientId: config.oidcClientId,
    clientSecret,
    scopes: config.oidcScopes,
    groupsClaim: config.oidcGroupsClaim,
    roleMap: config.oidcRoleMap,
    label: config.oidcLabel,
    redirectUri: `${config.publicOrigin}${OIDC_CALLBACK_PATH}`,
  };
}

/** What one sign-in must remember between leaving for the provider and coming back. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

/** How long a browser may take at the provider (typing a password, a second factor). */
export const OIDC_TRANSACTION_MS = 10 * 60_000;

/** Seconds each request to the provider may take. */
const PROVIDER_TIMEOUT_S = 10;

/**
 * Why a sign-in failed, as the short code the sign-in page is sent back with (`?error=`) and the
 * audit row records. Never a token or a claim value.
 */
export type OidcFailure =
  | 'denied'
  | 'provider_error'
  | 'bad_state'
  | 'expired_attempt'
  | 'code_refused'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'token_expired'
  | 'nonce_mismatch'
  | 'token_invalid'
  | 'provider_unreachable'
  | 'account_disabled';

/** A refused sign-in with its short code; `detail` is for the log (an OAuth error code, a library message). */
export class OidcSignInError extends Error {
  constructor(
    readonly code: OidcFailure,
    readonly detail: string,
  ) {
    super(`single sign-on refused (${code}): ${detail}`);
  }
}

/** The `claim` an openid-client validation error is about, wherever in its causes it is. */
function claimOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const claim = (e as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Sorts what openid-client threw into a short code. Validation is openid-client's; this only names it. */
export function failureOf(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new OidcSignInError(error.error === 'access_denied' ? 'denied' : 'provider_error', `the provider answered ${error.error}`);
  }
  if (error instanceof client.ResponseBodyError) return new OidcSignInError('code_refused', `the token endpoint answered ${error.error} (${error.status})`);
  if (error instanceof client.ClientError) {
    const claim = claimOf(error);
    if (error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
      return new OidcSignInError(claim === 'exp' ? 'token_expired' : 'token_invalid', `ID token ${claim ?? 'time'} check failed`);
    }
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
      const byClaim: Record<string, OidcFailure> = { aud: 'wrong_audience', azp: 'wrong_audience', iss: 'wrong_issuer', nonce: 'nonce_mismatch' };
      return new OidcSignInError(byClaim[claim ?? ''] ?? 'token_invalid', `ID token claim ${claim ?? '?'} does not match`);
    }
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
      return new OidcSignInError('provider_unreachable', error.message);
    }
    return new OidcSignInError('token_invalid', `${error.code ?? 'error'}: ${error.message}`);
  }
  // fetch failures (refused, reset, DNS) and timeouts: the provider cannot be reached.
  if (error instanceof TypeError || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))) {
    return new OidcSignInError('provider_unreachable', error.message);
  }
  return new OidcSignInError('token_invalid', error instanceof Error ? error.message : String(error));
}

/**
 * Salve as an OpenID Connect relying party (openid-client): authorization code with PKCE (S256),
 * state and nonce. The provider's metadata is discovered once and kept; a failed discovery
 * (provider down) is retried at the next sign-in, so Salve starts without its provider.
 *
 * `now` is Salve's clock: ID token times are judged by it (openid-client's `clockSkew` is the
 * difference to the system clock, 0 in production), so tests can move it.
 */
export class OidcClient {
  private discovered?: Promise<client.Configuration>;
  private jwks?: client.ExportedJWKSCache;

  constructor(
    readonly settings: OidcSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** http is accepted for a loopback issuer only (the config refuses it elsewhere). */
  private get insecure(): boolean {
    return this.settings.issuer.startsWith('http:');
  }

  /** Discovers the provider in the background at start: a provider that is down is logged, not fatal. */
  warmUp(): void {
    this.discover().then(
      () => this.log.info({ issuer: this.settings.issuer }, 'single sign-on: provider discovered'),
      (error: unknown) =>
        this.log.warn(
          { issuer: this.settings.issuer, detail: failureOf(error).detail },
          'single sign-on: the provider cannot be reached now; sign-ins retry discovery until it can',
        ),
    );
  }

  /** Discovers the provider (once; a failure is forgotten, so the next sign-in tries again). */
  discover(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        execute: this.insecure ? [client.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_S,
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw error;
      });
    return this.discovered;
  }

  /** A configuration for one sign-in: the discovered metadata, the client, Salve's clock. */
  private async configuration(): Promise<client.Configuration> {
    const server = (await this.discover()).serverMetadata();
    const skew = Math.round((this.now() - Date.now()) / 1000);
    // client_secret_basic is the default a client is registered with (RFC 8414); POST only where the provider lacks it.
    const methods = server.token_endpoint_auth_methods_supported;
    const basic = methods === undefined || methods.includes('client_secret_basic');
    const config = new client.Configuration(
      server,
      this.settings.clientId,
      { client_secret: this.settings.clientSecret, [client.clockSkew]: skew },
      basic ? client.ClientSecretBasic(this.settings.clientSecret) : client.ClientSecretPost(this.settings.clientSecret),
    );
    if (this.insecure) client.allowInsecureRequests(config);
    config.timeout = PROVIDER_TIMEOUT_S;
    if (this.jwks) client.setJwksCache(config, this.jwks);
    return config;
  }

  /** Starts a sign-in: the provider URL to send the browser to, and what to remember until it returns. */
  async begin(): Promise<{ url: URL; transaction: OidcTransaction }> {
    const config = await this.configuration();
    const transaction: OidcTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      expiresAt: this.now() + OIDC_TRANSACTION_MS,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /**
   * Finishes a sign-in from the callback's query: redeems the code (with the PKCE verifier) and
   * has openid-client validate the ID token (signature, issuer, audience, expiry, nonce) and the
   * state. Then reads userinfo, which many providers fill instead of the ID token; the ID token's
   * claims win where both have one. Throws OidcSignInError.
   */
  async finish(query: URLSearchParams, transaction: OidcTransaction): Promise<IdentityClaims> {
    try {
      const config = await this.configuration();
      // The URL the provider redirected to, as registered: the request's own URL may be a proxy's.
      const callback = new URL(this.settings.redirectUri);
      callback.search = query.toString();
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      this.jwks = client.getJwksCache(config) ?? this.jwks;
      const idClaims = tokens.claims();
      if (!idClaims) throw new OidcSignInError('token_invalid', 'the provider returned no ID token');
      let userinfo: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
        userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      }
      return { ...userinfo, ...idClaims } as IdentityClaims;
    } catch (error) {
      throw failureOf(error);
    }
  }
}
