import { describe, expect, it } from 'vitest';
import { TEST_TOKEN, testApp } from '../../test/kit/http.js';
import { flowDoc } from '../../test/kit/flow.js';
import { waitFor } from '../../test/kit/wait.js';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from './sessions.js';

const TOKEN = TEST_TOKEN;
const ORIGIN = 'http://localhost'; // the origin of app.request('/…') URLs
const json = { 'content-type': 'application/json' };
const sameOrigin = { ...json, origin: ORIGIN };

/** The kit's app; `store` makes a second app over the first one's database, `token` another admin token. */
const setup = testApp;

type App = ReturnType<typeof setup>['app'];

/** Hono's app.request with the Node request's peer address, as @hono/node-server provides it. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

async function signIn(app: App, token = TOKEN, headers: Record<string, string> = {}, address = '192.0.2.1') {
  return app.request('/api/session', { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ token }) }, from(address));
}

/** The `salve_session=<value>` pair of a sign-in answer, ready for a Cookie header. */
function cookieOf(res: Response): string {
  const match = /^(salve_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '');
  if (!match) throw new Error(`no session cookie in ${res.headers.get('set-cookie')}`);
  return match[1]!;
}

async function signedIn(app: App): Promise<string> {
  const res = await signIn(app);
  expect(res.status).toBe(200);
  return cookieOf(res);
}

const whoAmI = (app: App, cookie: string) => app.request('/api/session', { headers: { cookie } });

describe('signing in', () => {
  it('exchanges the admin token for an HttpOnly, SameSite=Strict session cookie', async () => {
    const { app, store, logs } = setup();
    const res = await signIn(app);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authenticated: true });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^salve_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const value = cookieOf(res).split('=')[1]!;

    expect(await (await whoAmI(app, cookieOf(res))).json()).toEqual({ authenticated: true, via: 'cookie' });
    // Only a hash is stored; neither the cookie nor the token reaches the database or the log.
    const dump = JSON.stringify(store.sqlite.prepare('SELECT * FROM sessions').all()) + JSON.stringify(store.sqlite.prepare('SELECT * FROM audit').all());
    expect(dump).not.toContain(value);
    expect(dump).not.toContain(TOKEN);
    expect(logs()).toContain('signed in');
    expect(logs()).not.toContain(value);
    expect(logs()).not.toContain(TOKEN);
    expect(store.sqlite.prepare("SELECT action FROM audit WHERE action LIKE 'session.%'").all()).toEqual([{ action: 'session.sign_in' }]);
  });

  it('marks the cookie Secure only when the browser really came over https', async () => {
    const { app } = setup();
    // TLS on the socket itself (the request URL is https), at a loopback name.
    const https = await app.request('https://localhost:8443/api/session', { method: 'POST', headers: json, body: JSON.stringify({ token: TOKEN }) });
    expect(https.headers.get('set-cookie')).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    const forwarded = await signIn(app, TOKEN, { 'x-forwarded-proto': 'https' });
    expect(forwarded.headers.get('set-cookie')).not.toContain('Secure');

    const proxied = setup({ publicOrigin: 'https://salve.example.internal' }).app;
    const viaProxy = await signIn(proxied, TOKEN, { origin: 'https://salve.example.internal' });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.headers.get('set-cookie')).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('refuses a wrong token with a JSON 401 and no cookie', async () => {
    const { app, logs } = setup();
    const res = await signIn(app, 'not-the-admin-token');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'wrong admin token' } });
    expect(logs()).not.toContain('not-the-admin-token');
    const missing = await app.request('/api/session', { method: 'POST', headers: json, body: '{}' });
    expect(missing.status).toBe(422);
  });

  it('answers 429 with Retry-After after 10 failures a minute from one address, then lets it try again', async () => {
    const { app, clock } = setup();
    for (let i = 0; i < 10; i++) expect((await signIn(app, 'wrong-token-guess')).status).toBe(401);
    const limited = await signIn(app); // even the right token
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as any).error.code).toBe('too_many_requests');
    expect((await signIn(app, TOKEN, {}, '198.51.100.7')).status).toBe(200); // another address is not affected

    clock.advance(30_000);
    expect((await signIn(app)).headers.get('retry-after')).toBe('30');
    clock.advance(30_000);
    expect((await signIn(app)).status).toBe(200);
  });

  it('refuses a sign-in posted from another site', async () => {
    const { app } = setup();
    const res = await signIn(app, TOKEN, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('forbidden');
    expect((await signIn(app, TOKEN, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await signIn(app, TOKEN, { origin: ORIGIN })).status).toBe(200);
  });

  it('judges host, limit and origin before reading the body: a cross-site or limited sign-in gets its refusal, not a body error', async () => {
    const { app } = setup();
    const notJson = (headers: Record<string, string>, address = '192.0.2.1', base = '') =>
      app.request(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: 'x'.repeat(10_000) }, from(address));
    expect((await notJson({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await notJson({}, '192.0.2.1', 'http://rebind.attacker.example:8470')).status).toBe(403);
    for (let i = 0; i < 10; i++) await signIn(app, 'wrong-token-guess', {}, '198.51.100.9');
    expect((await notJson({}, '198.51.100.9')).status).toBe(429);
    // Otherwise the body's own problems are what is answered.
    expect((await notJson({})).status).toBe(415);
  });
});

describe('the sign-in hint', () => {
  it('names the admin token file before signing in, and nothing when SALVE_ADMIN_TOKEN sets the token', async () => {
    const withFile = setup({ tokenFile: '/srv/salve-data/admin-token' }).app;
    const res = await withFile.request('/api/session/hint');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tokenFile: '/srv/salve-data/admin-token', passwords: true });
    expect(await (await setup().app.request('/api/session/hint')).json()).toEqual({ passwords: true });
  });

  it('answers only pages on a trusted host (a DNS-rebinding page learns no path)', async () => {
    const { app } = setup({ tokenFile: '/srv/salve-data/admin-token' });
    const res = await app.request('http://attacker.example/api/session/hint');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('/srv/salve-data');
  });
});

describe('session lifetime', () => {
  it('ends after 12 h without use', async () => {
    const { app, clock, store } = setup();
    const cookie = await signedIn(app);
    clock.advance(11 * 3600_000);
    expect((await whoAmI(app, cookie)).status).toBe(200); // a use: the idle time starts again
    await store.idle(); // the use is written after the answer
    clock.advance(11 * 3600_000);
    expect((await whoAmI(app, cookie)).status).toBe(200);
    clock.advance(SESSION_IDLE_MS);
    const res = await whoAmI(app, cookie);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(/sign in again/);
  });

  it('ends 7 days after sign-in however much it is used', async () => {
    const { app, clock, store } = setup();
    const cookie = await signedIn(app);
    for (let t = 0; t + 11 * 3600_000 < SESSION_MAX_MS; t += 11 * 3600_000) {
      expect((await whoAmI(app, cookie)).status).toBe(200);
      await store.idle(); // the use is written after the answer
      clock.advance(11 * 3600_000);
    }
    clock.t = Date.parse('2026-11-24T00:00:00Z') + SESSION_MAX_MS;
    expect((await whoAmI(app, cookie)).status).toBe(401);
    // Deleted on the way, after the answer.
    await waitFor(() => (store.sqlite.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n === 0);
  });

  it('survives a restart (a new app on the same database) but not a new admin token', async () => {
    const first = setup();
    const cookie = await signedIn(first.app);
    const restarted = setup({ store: first.store, clock: first.clock });
    expect((await whoAmI(restarted.app, cookie)).status).toBe(200);
    const rotated = setup({ store: first.store, clock: first.clock, token: 'a-brand-new-admin-token-42' });
    expect((await whoAmI(rotated.app, cookie)).status).toBe(401);
  });
});

describe('signing out', () => {
  it('deletes the session, clears the cookie and is audited', async () => {
    const { app, store } = setup();
    const cookie = await signedIn(app);
    const res = await app.request('/api/session', { method: 'DELETE', headers: { ...sameOrigin, cookie }, body: '{}' });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^salve_session=; Max-Age=0; Path=\/;.*HttpOnly; SameSite=Strict$/);
    expect((await whoAmI(app, cookie)).status).toBe(401);
    expect(store.sqlite.prepare("SELECT action FROM audit WHERE action LIKE 'session.%' ORDER BY id").all()).toEqual([
      { action: 'session.sign_in' },
      { action: 'session.sign_out' },
    ]);
    // Signing out again, or without any session, is still a 204.
    expect((await app.request('/api/session', { method: 'DELETE', headers: { ...sameOrigin, cookie } })).status).toBe(204);
    expect((await app.request('/api/session', { method: 'DELETE' })).status).toBe(204);
  });

  it('cannot be triggered by another site', async () => {
    const { app } = setup();
    const cookie = await signedIn(app);
    const res = await app.request('/api/session', { method: 'DELETE', headers: { ...json, cookie, origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await whoAmI(app, cookie)).status).toBe(200);
  });
});

describe('cookie-authenticated changes', () => {
  const pause = (app: App, headers: Record<string, string>, body?: string) =>
    app.request('/api/automation/pause', { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

  it('work from the editor page: JSON and this server as Origin (or Sec-Fetch-Site: same-origin)', async () => {
    const { app } = setup();
    const cookie = await signedIn(app);
    expect((await pause(app, { ...sameOrigin, cookie }, '{}')).status).toBe(200);
    expect((await pause(app, { ...sameOrigin, cookie })).status).toBe(200); // no body at all
    expect((await pause(app, { ...json, 'sec-fetch-site': 'same-origin', cookie }, '{}')).status).toBe(200);
  });

  it('need Content-Type: application/json, and say so (415)', async () => {
    const { app } = setup();
    const cookie = await signedIn(app);
    const res = await pause(app, { origin: ORIGIN, 'content-type': 'text/plain', cookie }, '{}');
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
  });

  it('are refused from another origin (403 JSON), whatever the content type', async () => {
    const { app, engine } = setup();
    const cookie = await signedIn(app);
    for (const headers of [
      { ...json, origin: 'https://evil.example' },
      { ...json, origin: 'null' },
      { ...json, 'sec-fetch-site': 'cross-site' },
      { ...json, 'sec-fetch-site': 'same-site' },
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      json, // no Origin, no Sec-Fetch-Site: not a browser page
    ] as Record<string, string>[]) {
      const res = await pause(app, { ...headers, cookie }, '{}');
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await res.json()) as any).error.code).toBe('forbidden');
    }
    expect(engine.isPaused).toBe(false);
  });

  it('accept an empty body or {} on routes that take none', async () => {
    const { app, engine } = setup();
    await engine.flows.create(flowDoc(), { name: 'test', via: 'token' });
    const cookie = await signedIn(app);
    const disable = await app.request('/api/flows/f1/disable', { method: 'POST', headers: { ...sameOrigin, cookie }, body: '{}' });
    expect(disable.status).toBe(200);
    const enable = await app.request('/api/flows/f1/enable', { method: 'POST', headers: { ...sameOrigin, cookie } });
    expect(((await enable.json()) as any).flow.enabled).toBe(true);
    expect((await app.request('/api/flows/f1', { method: 'DELETE', headers: { ...sameOrigin, cookie }, body: '{}' })).status).toBe(204);
  });

  it('leave bearer requests as they were: no content type or origin needed', async () => {
    const { app } = setup();
    const res = await pause(app, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(await (await app.request('/api/session', { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toEqual({ authenticated: true, via: 'bearer' });
  });

  it('reads need no origin check', async () => {
    const { app } = setup();
    const cookie = await signedIn(app);
    expect((await app.request('/api/flows', { headers: { cookie } })).status).toBe(200);
  });
});
