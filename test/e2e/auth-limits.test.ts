import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';

/** A request with a Host header of our choosing (fetch does not let one set Host). */
function withHost(url: string, host: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: { ...init.headers, host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, setCookie: res.headers['set-cookie'] }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * Guessing the admin token against the real server, from its real peer address, and the
 * DNS-rebinding defence over real HTTP (issue 8, items 6 and 13).
 */
describe('admin token guessing and the Host rule', () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  it('signs in through a loopback name but not through a rebound one; bearer clients do not care', async () => {
    const port = new URL(server.url).port;
    const signIn = (host: string) =>
      withHost(`${server.url}/api/session`, host, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `http://${host}` },
        body: JSON.stringify({ token: server.token }),
      });
    const rebound = await signIn(`rebind.attacker.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(rebound.setCookie).toBeUndefined();
    expect(JSON.parse(rebound.body).error.message).toContain('SALVE_PUBLIC_ORIGIN');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) expect((await signIn(host)).status, host).toBe(200);
    const bearer = await withHost(`${server.url}/api/flows`, `rebind.attacker.example:${port}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(bearer.status).toBe(200);
  });

  it('answers 300 bearer guesses with 429 from the 11th on, and still after a restart', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${server.url}/api/flows`, { headers: { authorization: `Bearer guess-${i}` } });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);

    await server.stop();
    server = await startServer({ dataDir, token: server.token });
    const res = await fetch(`${server.url}/api/flows`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(429); // the right token too: a limited address learns nothing
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await res.json()).error.message).toMatch(/too many failed attempts with the admin token from this address; retry in \d+ s/);
  });
});
