import { describe, expect, it } from 'vitest';
import { fromAddress, JSON_TYPE, TEST_TOKEN, testApp } from '../../test/kit/http.js';

type App = ReturnType<typeof testApp>['app'];

/** What a DNS-rebinding page sends: its own name as Host, and (same-origin to the browser) as Origin. */
const REBOUND = 'http://rebind.attacker.example:8470';

const signIn = (app: App, base: string, headers: Record<string, string> = {}) =>
  app.request(`${base}/api/session`, { method: 'POST', headers: { ...JSON_TYPE, origin: base, ...headers }, body: JSON.stringify({ token: TEST_TOKEN }) }, fromAddress('127.0.0.1'));

async function cookieFrom(app: App, base = 'http://127.0.0.1:8470'): Promise<string> {
  const res = await signIn(app, base);
  expect(res.status).toBe(200);
  return /^(salve_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}

describe('the Host a cookie or sign-in request was addressed to', () => {
  it('refuses signing in through a rebound name (403 that names SALVE_PUBLIC_ORIGIN), before looking at the token', async () => {
    const { app, store } = testApp();
    const res = await signIn(app, REBOUND);
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const error = ((await res.json()) as any).error;
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('host rebind.attacker.example:8470');
    expect(error.message).toContain('set SALVE_PUBLIC_ORIGIN');
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('accepts loopback names and addresses on any port (tunnels and port mappings)', async () => {
    const { app } = testApp();
    for (const base of ['http://127.0.0.1:8470', 'http://localhost:8470', 'http://LOCALHOST:9000', 'http://[::1]:8470', 'http://127.0.0.2:8470', 'http://127.1:8470']) {
      expect((await signIn(app, base, { origin: new URL(base).origin })).status, base).toBe(200);
    }
  });

  it('refuses names that only look local', async () => {
    const { app } = testApp();
    for (const base of ['http://localhost.attacker.example', 'http://127.0.0.1.nip.example', 'http://0.0.0.0:8470', 'http://salve.localdomain:8470']) {
      expect((await signIn(app, base)).status, base).toBe(403);
    }
  });

  it('accepts the public origin host (a proxy that forwards Host), and still nothing else', async () => {
    const { app } = testApp({ publicOrigin: 'https://salve.example.internal' });
    expect((await signIn(app, 'http://salve.example.internal', { origin: 'https://salve.example.internal' })).status).toBe(200);
    expect((await signIn(app, 'http://127.0.0.1:8470')).status).toBe(200); // a proxy that sends its upstream address
    const res = await signIn(app, REBOUND);
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.message).toContain('SALVE_PUBLIC_ORIGIN (https://salve.example.internal)');
  });

  it('refuses every cookie-authenticated request through a rebound name, reads included', async () => {
    const { app, engine } = testApp();
    const cookie = await cookieFrom(app);
    expect((await app.request('http://127.0.0.1:8470/api/flows', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('http://localhost:8470/api/flows', { headers: { cookie } })).status).toBe(200);

    expect((await app.request(`${REBOUND}/api/flows`, { headers: { cookie } })).status).toBe(403);
    const pause = await app.request(`${REBOUND}/api/automation/pause`, { method: 'POST', headers: { ...JSON_TYPE, origin: REBOUND, cookie }, body: '{}' });
    expect(pause.status).toBe(403);
    expect(engine.isPaused).toBe(false);
    const signOut = await app.request(`${REBOUND}/api/session`, { method: 'DELETE', headers: { ...JSON_TYPE, origin: REBOUND, cookie }, body: '{}' });
    expect(signOut.status).toBe(403);
    expect((await app.request('http://127.0.0.1:8470/api/session', { headers: { cookie } })).status).toBe(200); // still signed in
  });

  it('leaves bearer-token clients alone whatever Host they use', async () => {
    const { app } = testApp();
    const res = await app.request(`${REBOUND}/api/flows`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
  });
});
