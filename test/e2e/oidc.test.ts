import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CALLBACK_PATH, OidcClient, type OidcSettings } from '../../runtime/http/oidc.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { ManualClock } from '../kit/engine.js';
import { TEST_TOKEN, testApp } from '../kit/http.js';
import { CookieJar, navigate, startOidcProvider, throughProvider, type TestProvider } from '../kit/oidc-provider.js';
import { CLI, NODE_FLAGS, removeDir, startServer, tempDataDir } from '../kit/server.js';
import { spawnSync } from 'node:child_process';

/**
 * Single sign-on end to end: Salve (its HTTP app on a loopback port, with a clock the test
 * moves) signs people in through a real OpenID provider (oidc-provider) on another loopback
 * port. The browser is fetch with a cookie jar, following redirects by hand and submitting the
 * provider's development login and consent forms.
 */

const SECRET = 'salve-client-secret-0123456789abcdef';
const OTHER_SECRET = 'other-client-secret-0123456789abcdef';
const OTHER_REDIRECT = 'http://127.0.0.1:9/callback';
const ROLE_MAP = {
  'salve-admins': 'admin' as const,
  'payments-oncall': [{ team: 'payments', roles: ['operator' as const, 'approver' as const] }],
  'payments-dev': [{ team: 'payments', roles: ['editor' as const] }],
};

describe('single sign-on with OpenID Connect', () => {
  const clock = new ManualClock(Date.now());
  let provider: TestProvider;
  let http: ServerType;
  let origin = '';
  let salve: ReturnType<typeof testApp>;
  /** What the loopback port serves: swapped for a new app over the same database to act out a restart. */
  let app: ReturnType<typeof testApp>['app'] | undefined;
  let settings: OidcSettings;

  beforeAll(async () => {
    // Salve's port first: the provider must know the redirect URI.
    http = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: (req, env) => app!.fetch(req, env), hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    provider = await startOidcProvider({
      clients: [
        { client_id: 'salve', client_secret: SECRET, redirect_uris: [`${origin}${OIDC_CALLBACK_PATH}`] },
        { client_id: 'other-app', client_secret: OTHER_SECRET, redirect_uris: [OTHER_REDIRECT] },
      ],
      idTokenTtlSeconds: 60,
    });
    provider.accounts.set('ana', { name: 'Ana Ops', preferred_username: 'ana', email: 'ana@example.com', email_verified: true, groups: ['payments-oncall'] });
    provider.accounts.set('bo', { name: 'Bo Nogroup', preferred_username: 'bo', email: 'bo@example.com', email_verified: false, groups: ['marketing'] });
    provider.accounts.set('root', { name: 'Ro Ot', preferred_username: 'admin', groups: ['salve-admins'] });
    settings = {
      issuer: provider.issuer,
      clientId: 'salve',
      clientSecret: SECRET,
      scopes: 'openid profile email groups',
      groupsClaim: 'groups',
      roleMap: ROLE_MAP,
      label: 'Sign in with Example SSO',
      redirectUri: `${origin}${OIDC_CALLBACK_PATH}`,
    };
    const oidc = new OidcClient(settings, pino({ level: 'silent' }), () => clock.now());
    salve = testApp({ clock, publicOrigin: origin, oidc });
    app = salve.app;
    await salve.store.write((db) => peopleRepo.insertTeam(db, { id: 'payments', name: 'Payments', createdAt: clock.now() }));
  });

  afterAll(async () => {
    await provider?.close();
    await new Promise((resolve) => http?.close(resolve));
  });

  /** Salve's first redirect: to the provider, with this browser's sign-in in a cookie. */
  async function start(jar: CookieJar): Promise<string> {
    const res = await navigate(jar, `${origin}/api/session/oidc/start`);
    expect(res.status).toBe(302);
    expect(res.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
    return res.location!;
  }

  /** A whole sign-in as `account`; returns Salve's last answer (the callback's redirect) and the jar. */
  async function signIn(account: string, tamper?: (callback: URL) => void) {
    const jar = new CookieJar();
    const callback = new URL(await throughProvider(jar, provider, await start(jar), { account }));
    expect(callback.href.startsWith(`${origin}${OIDC_CALLBACK_PATH}?`)).toBe(true);
    tamper?.(callback);
    const done = await navigate(jar, callback.href);
    return { done, jar };
  }

  const api = (jar: CookieJar, path: string) => fetch(`${origin}${path}`, { headers: { cookie: jar.header(path) } });

  async function lastFailure(): Promise<any> {
    const res = await fetch(`${origin}/api/audit?action=session.sign_in_failed&limit=1`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    return (await res.json()).items[0];
  }

  const rolesOf = (username: string) => {
    const user = peopleRepo.userByUsername(salve.store.db, username)!;
    return peopleRepo
      .membershipsOf(salve.store.db, user.id)
      .map((m) => `${m.teamId}:${m.role}:${m.origin}`)
      .sort();
  };

  it('offers the button on the sign-in page, and sends the browser to the provider with state, nonce and PKCE (S256)', async () => {
    const hint = await (await fetch(`${origin}/api/session/hint`)).json();
    expect(hint.sso).toEqual({ label: 'Sign in with Example SSO' });

    const jar = new CookieJar();
    const res = await navigate(jar, `${origin}/api/session/oidc/start`);
    const params = new URL(res.location!).searchParams;
    expect(params.get('client_id')).toBe('salve');
    expect(params.get('redirect_uri')).toBe(`${origin}${OIDC_CALLBACK_PATH}`);
    expect(params.get('code_challenge_method')).toBe('S256');
    for (const p of ['state', 'nonce', 'code_challenge']) expect(params.get(p)?.length).toBeGreaterThanOrEqual(22);
    const cookie = res.res.headers.getSetCookie().find((c) => c.startsWith('salve_oidc='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toContain(`Path=${OIDC_CALLBACK_PATH}`);
    expect(cookie).toMatch(/Max-Age=600/);
  });

  it('finishes a sign-in started before a restart: the cookie key is kept in the database, not in the process', async () => {
    const jar = new CookieJar();
    const callback = await throughProvider(jar, provider, await start(jar), { account: 'ana' });
    const first = app;
    try {
      // A new process over the same database (or another process sharing it) takes the callback.
      app = testApp({ clock, publicOrigin: origin, store: salve.store, oidc: new OidcClient(settings, pino({ level: 'silent' }), () => clock.now()) }).app;
      const done = await navigate(jar, callback);
      expect(done.location).toBe(`${origin}/`);
      expect(jar.get('salve_session')).toBeDefined();
    } finally {
      app = first;
    }
  });

  it('signs a mapped user in: provisioned on first sign-in, team roles from the groups claim, a session like any other', async () => {
    const { done, jar } = await signIn('ana');
    expect(done.status).toBe(302);
    expect(done.location).toBe(`${origin}/`);
    expect(jar.get('salve_session')).toBeDefined();
    expect(jar.get('salve_oidc')).toBeUndefined(); // single use

    const user = peopleRepo.userByUsername(salve.store.db, 'ana')!;
    expect(user).toMatchObject({ displayName: 'Ana Ops', email: 'ana@example.com', oidcIssuer: provider.issuer, oidcSubject: 'ana', admin: false });
    expect(rolesOf('ana')).toEqual(['payments:approver:oidc', 'payments:operator:oidc']);

    // The session acts with those roles: it reads the team's flows, and may not change them.
    expect((await api(jar, '/api/flows')).status).toBe(200);
    expect((await api(jar, '/api/session')).status).toBe(200);
    const create = await fetch(`${origin}/api/flows?team=payments`, {
      method: 'POST',
      headers: { cookie: jar.header('/api/flows'), origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(create.status).toBe(403);
  });

  it('maps the groups again at the next sign-in; roles an admin gave by hand stay', async () => {
    const ana = peopleRepo.userByUsername(salve.store.db, 'ana')!;
    await salve.store.write((db) => peopleRepo.replaceMemberships(db, ana.id, 'manual', [{ teamId: 'default', role: 'viewer' }]));
    provider.accounts.set('ana', { ...provider.accounts.get('ana'), name: 'Ana Dev', groups: ['payments-dev', 'unrelated'] });

    const { done } = await signIn('ana');
    expect(done.location).toBe(`${origin}/`);
    expect(rolesOf('ana')).toEqual(['default:viewer:manual', 'payments:editor:oidc']);
    expect(peopleRepo.userByUsername(salve.store.db, 'ana')!.displayName).toBe('Ana Dev');
    // Still the one account: matched by issuer and subject.
    expect(peopleRepo.listUsers(salve.store.db).filter((u) => u.oidcSubject === 'ana')).toHaveLength(1);
  });

  it('signs in a user whose groups map to nothing, with no roles, and says why they can do nothing', async () => {
    const { done, jar } = await signIn('bo');
    expect(done.location).toBe(`${origin}/`);
    const bo = peopleRepo.userByUsername(salve.store.db, 'bo')!;
    expect(bo.email).toBeNull(); // not verified by the provider: not kept
    expect(rolesOf('bo')).toEqual([]);
    const flows = await api(jar, '/api/flows');
    expect(flows.status).toBe(403);
    expect((await flows.json()).error.message).toContain('holds no role in any team yet; ask an admin to give it one');
  });

  it('makes a user of a group mapped to "admin" an admin, under a name that is not reserved', async () => {
    const { done, jar } = await signIn('root');
    expect(done.location).toBe(`${origin}/`);
    const root = peopleRepo.userByOidc(salve.store.db, provider.issuer, 'root')!;
    expect(root).toMatchObject({ username: 'admin-sso', admin: true });
    expect((await api(jar, '/api/audit')).status).toBe(200);
  });

  it('refuses an ID token issued for another client (wrong audience), though the provider signed it', async () => {
    const jar = new CookieJar();
    const authorization = await start(jar);
    const nonce = new URL(authorization).searchParams.get('nonce')!;
    // A genuine ID token for "other-app", with Salve's nonce: only its audience is wrong.
    const other = await client.discovery(new URL(provider.issuer), 'other-app', OTHER_SECRET, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const otherUrl = client.buildAuthorizationUrl(other, {
      redirect_uri: OTHER_REDIRECT,
      scope: 'openid',
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const otherCallback = await throughProvider(jar, provider, otherUrl.href, { account: 'ana' });
    const otherTokens = await client.authorizationCodeGrant(other, new URL(otherCallback), { pkceCodeVerifier: verifier, expectedNonce: nonce });
    expect(otherTokens.claims()!.aud).toBe('other-app');

    const callback = await throughProvider(jar, provider, authorization, { account: 'ana' });
    provider.swapIdToken(otherTokens.id_token!);
    const done = await navigate(jar, callback);
    expect(done.location).toBe(`${origin}/#/sign-in?error=wrong_audience`);
    expect(jar.get('salve_session')).toBeUndefined();
    expect(await lastFailure()).toMatchObject({ actor: 'unknown', via: 'session', details: { method: 'oidc', reason: 'wrong_audience' } });
  });

  it('refuses an ID token that has expired by Salve’s clock', async () => {
    const jar = new CookieJar();
    const callback = await throughProvider(jar, provider, await start(jar), { account: 'ana' });
    // The provider issues ID tokens for 60 s; 5 minutes later (the sign-in itself may take 10) it is stale.
    clock.advance(5 * 60_000);
    try {
      const done = await navigate(jar, callback);
      expect(done.location).toBe(`${origin}/#/sign-in?error=token_expired`);
      expect(jar.get('salve_session')).toBeUndefined();
      expect(await lastFailure()).toMatchObject({ details: { reason: 'token_expired' } });
    } finally {
      clock.t = Date.now();
    }
  });

  it('refuses a tampered state, a callback without a started sign-in, and a sign-in older than 10 minutes', async () => {
    const tampered = await signIn('ana', (callback) => callback.searchParams.set('state', 'x'.repeat(43)));
    expect(tampered.done.location).toBe(`${origin}/#/sign-in?error=bad_state`);
    expect(tampered.jar.get('salve_session')).toBeUndefined();
    expect(await lastFailure()).toMatchObject({ details: { reason: 'bad_state' } });

    // A forged transaction cookie (the attacker's own state and verifier) is not accepted either.
    const jar = new CookieJar();
    const callback = await throughProvider(jar, provider, await start(jar), { account: 'ana' });
    const forged = Buffer.from(JSON.stringify({ state: 's'.repeat(43), nonce: 'n'.repeat(43), verifier: 'v'.repeat(43), expiresAt: Date.now() + 60_000 })).toString('base64url');
    jar.set('salve_oidc', `${forged}.c2lnbmF0dXJl`, OIDC_CALLBACK_PATH);
    const url = new URL(callback);
    url.searchParams.set('state', 's'.repeat(43));
    expect((await navigate(jar, url.href)).location).toBe(`${origin}/#/sign-in?error=bad_state`);

    const slow = new CookieJar();
    const late = await throughProvider(slow, provider, await start(slow), { account: 'ana' });
    clock.advance(11 * 60_000);
    try {
      expect((await navigate(slow, late)).location).toBe(`${origin}/#/sign-in?error=expired_attempt`);
    } finally {
      clock.t = Date.now();
    }
  });

  it('sends a person who declines at the provider back to the sign-in page, recorded', async () => {
    const jar = new CookieJar();
    const callback = await throughProvider(jar, provider, await start(jar), 'deny');
    const done = await navigate(jar, callback);
    expect(done.location).toBe(`${origin}/#/sign-in?error=denied`);
    expect(await lastFailure()).toMatchObject({ details: { reason: 'denied' } });
  });

  it('refuses a disabled user at the provider’s word, and starts no session', async () => {
    const ana = peopleRepo.userByUsername(salve.store.db, 'ana')!;
    await salve.store.write((db) => peopleRepo.updateUser(db, ana.id, { disabled: true }));
    try {
      const { done, jar } = await signIn('ana');
      expect(done.location).toBe(`${origin}/#/sign-in?error=account_disabled`);
      expect(jar.get('salve_session')).toBeUndefined();
      expect(await lastFailure()).toMatchObject({ actor: 'ana', details: { reason: 'account_disabled' } });
    } finally {
      await salve.store.write((db) => peopleRepo.updateUser(db, ana.id, { disabled: false }));
    }
  });
});

describe('single sign-on with the provider down', () => {
  it('starts anyway, and sends the browser back to the sign-in page with a reason until the provider answers', async () => {
    // A port nothing listens on: bind one, note it, close it.
    const probe = serve({ fetch: () => new Response(), hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => probe.once('listening', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const origin = 'http://127.0.0.1:8470';
    const oidc = new OidcClient(
      {
        issuer: `http://127.0.0.1:${port}`,
        clientId: 'salve',
        clientSecret: SECRET,
        scopes: 'openid',
        groupsClaim: 'groups',
        roleMap: {},
        label: 'SSO',
        redirectUri: `${origin}${OIDC_CALLBACK_PATH}`,
      },
      pino({ level: 'silent' }),
    );
    oidc.warmUp();
    const { app } = testApp({ publicOrigin: origin, oidc });
    expect((await app.request('/healthz')).status).toBe(200);
    const res = await app.request('/api/session/oidc/start');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/#/sign-in?error=provider_unreachable');
  });
});

describe('single sign-on configured through the environment (the built server)', () => {
  // Salve behind a proxy at this origin: the provider sends browsers there, the test forwards them.
  const PUBLIC = 'http://127.0.0.1:1';
  const dataDir = tempDataDir();
  let provider: TestProvider;

  beforeAll(async () => {
    provider = await startOidcProvider({ clients: [{ client_id: 'salve', client_secret: SECRET, redirect_uris: [`${PUBLIC}${OIDC_CALLBACK_PATH}`] }] });
    provider.accounts.set('cy', { name: 'Cy', preferred_username: 'cy', groups: ['ops'] });
  });
  afterAll(async () => {
    await provider?.close();
    removeDir(dataDir);
  });

  it('signs in with SALVE_OIDC_* set, and never prints the client secret', async () => {
    const server = await startServer({
      dataDir,
      env: {
        SALVE_PUBLIC_ORIGIN: PUBLIC,
        SALVE_OIDC_ISSUER: provider.issuer,
        SALVE_OIDC_CLIENT_ID: 'salve',
        SALVE_OIDC_CLIENT_SECRET: SECRET,
        SALVE_OIDC_SCOPES: 'openid profile groups',
        SALVE_OIDC_ROLE_MAP: JSON.stringify({ ops: [{ team: 'default', roles: ['viewer'] }] }),
        SALVE_LOG_LEVEL: 'debug',
      },
    });
    try {
      expect(server.output()).toContain(`Single sign-on with ${provider.issuer} (redirect URI registered there: ${PUBLIC}${OIDC_CALLBACK_PATH})`);
      const jar = new CookieJar();
      const start = await navigate(jar, `${server.url}/api/session/oidc/start`);
      const callback = new URL(await throughProvider(jar, provider, start.location!, { account: 'cy' }));
      expect(callback.origin).toBe(PUBLIC);
      const done = await navigate(jar, `${server.url}${callback.pathname}${callback.search}`);
      expect(done.location).toBe(`${server.url}/`);
      const flows = await fetch(`${server.url}/api/flows`, { headers: { cookie: jar.header('/api/flows') } });
      expect(flows.status).toBe(200);
      expect(server.output()).not.toContain(SECRET);
    } finally {
      await server.stop();
    }
    expect(server.output()).not.toContain(SECRET);
  });

  it('refuses to start without SALVE_PUBLIC_ORIGIN, saying why', () => {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, CLI, 'serve', '--port', '0', '--data', dataDir], {
      env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: `${dataDir}-config`, SALVE_OIDC_ISSUER: provider.issuer, SALVE_OIDC_CLIENT_ID: 'salve', SALVE_OIDC_CLIENT_SECRET: SECRET },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('SALVE_PUBLIC_ORIGIN');
    expect(r.stdout + r.stderr).toContain('/api/session/oidc/callback');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});
