import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload, diskFullFlow } from '../kit/alertmanager.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

const AM_TOKEN = 'am-secret-for-browser-test';

/**
 * The editor's way in, over real HTTP against the built server: sign in with the admin token,
 * then act with the session cookie under the same-origin rules; sessions survive a restart
 * and end when the admin token changes.
 */
describe('browser sessions', () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  let target: Target;
  let cookie = '';

  const start = (token?: string) => startServer({ dataDir, token, env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN, SALVE_SECRET_PAGER_KEY: 'pager-value', SALVE_ALLOWED_TARGETS: '127.0.0.1' } });

  /** A request as the editor page makes it: the session cookie, and this server as Origin. */
  const browser = (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(server.url + path, {
      method,
      headers: {
        cookie,
        origin: server.url,
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body,
    });

  beforeAll(async () => {
    target = await startTarget();
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    await target?.close();
    removeDir(dataDir);
  });

  it('signs in with the admin token and gets only a cookie back', async () => {
    const wrong = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('unauthorized');

    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ token: server.token }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [setCookie, ...others] = res.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(setCookie).toMatch(/^salve_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    cookie = setCookie!.split(';')[0]!;
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ authenticated: true });
    expect(body).not.toContain(cookie.split('=')[1]);
    expect((await (await browser('GET', '/api/session')).json())).toEqual({ authenticated: true, via: 'cookie' });
    expect(server.output()).not.toContain(cookie.split('=')[1]);
  });

  it('lists secret names for the editor, never values', async () => {
    const res = await browser('GET', '/api/secrets');
    const text = await res.text();
    expect(JSON.parse(text).secrets.map((i: { name: string }) => i.name)).toEqual(['AM_TOKEN', 'PAGER_KEY']);
    expect(text).not.toContain(AM_TOKEN);
  });

  it('acts with the cookie from the editor page, but not from another site or without JSON', async () => {
    expect((await server.api('POST', '/api/flows', diskFullFlow(target.url))).status).toBe(201);
    const deliver = (fingerprint: string) =>
      fetch(`${server.url}/hooks/infra`, {
        method: 'POST',
        headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(amPayload([amAlert({ fingerprint })])),
      }).then((r) => r.json());
    const first = (await deliver('fp-one')).executions[0];
    const second = (await deliver('fp-two')).executions[0];
    const pending = await waitFor(async () => {
      const items = (await (await browser('GET', '/api/approvals?status=pending')).json()).items;
      return items.length === 2 ? items : undefined;
    }, 15_000, 'two pending approvals');

    // The approvals inbox: what ran, and what approving would run, rendered.
    const approval = pending.find((a: any) => a.executionId === first);
    expect(approval.flowName).toBe('Disk full: clean up, ask, then restart');
    expect(approval.ran.map((s: any) => `${s.nodeId}:${s.status}:${s.port}`)).toEqual(['am:succeeded:out', 'disk:succeeded:match', 'clean:succeeded:ok']);
    expect(approval.next).toEqual([
      { nodeId: 'restart', nodeType: 'action.shell', label: 'Run command', rendered: expect.objectContaining({ command: ['echo', 'restarted', 'postgresql'] }) },
    ]);

    const crossSite = await browser('POST', `/api/executions/${first}/cancel`, { body: '{}', headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe('forbidden');
    const notJson = await browser('POST', `/api/executions/${first}/cancel`, { body: '{}', headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).toBe(415);
    expect((await notJson.json()).error.message).toContain('application/json');
    expect((await server.api('GET', `/api/executions/${first}`)).body.status).toBe('waiting');

    // Bodiless actions take `{}` or nothing at all.
    const cancelled = await browser('POST', `/api/executions/${first}/cancel`, { body: '{}' });
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe('cancelled');
    expect((await browser('POST', `/api/executions/${second}/cancel`)).status).toBe(200);
  });

  it('keeps the session across a restart, and ends it when the admin token changes', async () => {
    await server.stop();
    server = await start(server.token);
    expect((await browser('GET', '/api/session')).status).toBe(200);

    await server.stop();
    server = await start('a-rotated-admin-token-0123456789');
    const res = await browser('GET', '/api/session');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  it('signs out: the cookie is cleared and no longer works', async () => {
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: server.token }),
    });
    cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const out = await browser('DELETE', '/api/session', { body: '{}' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^salve_session=; Max-Age=0; Path=\//);
    expect((await browser('GET', '/api/session')).status).toBe(401);
  });

  it('limits failed sign-ins per address (bearer too): 429 with Retry-After', async () => {
    const attempt = (token: string) =>
      fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const limited = await attempt(server.token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('too_many_requests');
    // Bearer requests from this address share the budget: the admin token is the same secret.
    expect((await server.api('GET', '/api/flows')).status).toBe(429);
  });

  it('sends security headers on the editor page too', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
