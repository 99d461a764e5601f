import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authFailuresRepo } from '../store/auth-failures-repo.js';
import { ADMIN_TOKEN_FAILURES_PER_MINUTE } from './app.js';
import { fromAddress, JSON_TYPE, TEST_TOKEN, testApp } from '../../test/kit/http.js';

type App = ReturnType<typeof testApp>['app'];

const bearer = (app: App, token: string, address: string, path = '/api/flows') =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } }, fromAddress(address));
const signIn = (app: App, token: string, address: string) =>
  app.request('/api/session', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ token }) }, fromAddress(address));

const dirs: string[] = [];
const dbFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'salve-limit-'));
  dirs.push(dir);
  return join(dir, 'salve.db');
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('guessing the admin token as a bearer token', () => {
  it('300 guesses from one address: 429 from the 11th on, also for the right token and after a restart', async () => {
    const file = dbFile();
    const first = testApp({ file });
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await bearer(first.app, `guess-${i}`, '203.0.113.9')).status);
    expect(statuses.slice(0, ADMIN_TOKEN_FAILURES_PER_MINUTE)).toEqual(Array(ADMIN_TOKEN_FAILURES_PER_MINUTE).fill(401));
    expect(statuses.slice(ADMIN_TOKEN_FAILURES_PER_MINUTE)).toEqual(Array(300 - ADMIN_TOKEN_FAILURES_PER_MINUTE).fill(429));

    const limited = await bearer(first.app, TEST_TOKEN, '203.0.113.9'); // no answer that tells a right guess apart
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as any).error).toEqual({
      code: 'too_many_requests',
      message: 'too many failed attempts with the admin token from this address; retry in 60 s',
    });
    expect((await bearer(first.app, TEST_TOKEN, '198.51.100.7')).status).toBe(200); // another address is not affected
    expect(first.logs()).toContain('wrong bearer token');
    expect(first.logs()).not.toContain('guess-');

    first.clock.advance(20_000);
    first.store.close();
    const restarted = testApp({ file, clock: first.clock });
    const afterRestart = await bearer(restarted.app, TEST_TOKEN, '203.0.113.9');
    expect(afterRestart.status).toBe(429);
    expect(afterRestart.headers.get('retry-after')).toBe('40');
    restarted.clock.advance(40_000); // the minute that began with the first failure is over
    expect((await bearer(restarted.app, TEST_TOKEN, '203.0.113.9')).status).toBe(200);
    restarted.store.close();
  });

  it('shares one budget with sign-in: both guess the same token', async () => {
    const { app } = testApp();
    for (let i = 0; i < 5; i++) expect((await bearer(app, 'wrong', '192.0.2.4')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await signIn(app, 'wrong', '192.0.2.4')).status).toBe(401);
    expect((await signIn(app, TEST_TOKEN, '192.0.2.4')).status).toBe(429);
    expect((await bearer(app, TEST_TOKEN, '192.0.2.4')).status).toBe(429);
  });

  it('sign-in failures survive a restart too', async () => {
    const file = dbFile();
    const first = testApp({ file });
    for (let i = 0; i < ADMIN_TOKEN_FAILURES_PER_MINUTE; i++) expect((await signIn(first.app, 'wrong', '192.0.2.5')).status).toBe(401);
    first.store.close();
    const restarted = testApp({ file, clock: first.clock });
    expect((await signIn(restarted.app, TEST_TOKEN, '192.0.2.5')).status).toBe(429);
    restarted.store.close();
  });

  it('counts an IPv6 /64 as one address, and IPv4-mapped addresses as their IPv4 address', async () => {
    const { app } = testApp();
    for (let i = 0; i < ADMIN_TOKEN_FAILURES_PER_MINUTE; i++) expect((await bearer(app, 'wrong', `2001:db8:1:2::${i + 1}`)).status).toBe(401);
    expect((await bearer(app, TEST_TOKEN, '2001:db8:1:2:ffff::9')).status).toBe(429);
    expect((await bearer(app, TEST_TOKEN, '2001:db8:1:3::1')).status).toBe(200);
    for (let i = 0; i < ADMIN_TOKEN_FAILURES_PER_MINUTE; i++) expect((await bearer(app, 'wrong', '192.0.2.6')).status).toBe(401);
    expect((await bearer(app, TEST_TOKEN, '::ffff:192.0.2.6')).status).toBe(429);
  });

  it('forgets an address after its right token; others keep their count', async () => {
    const { app } = testApp();
    for (let i = 0; i < ADMIN_TOKEN_FAILURES_PER_MINUTE - 1; i++) {
      expect((await bearer(app, 'wrong', '192.0.2.7')).status).toBe(401);
      expect((await bearer(app, 'wrong', '192.0.2.8')).status).toBe(401);
    }
    expect((await bearer(app, TEST_TOKEN, '192.0.2.7')).status).toBe(200);
    expect((await bearer(app, 'wrong', '192.0.2.7')).status).toBe(401);
    expect((await bearer(app, 'wrong', '192.0.2.8')).status).toBe(401);
    expect((await bearer(app, TEST_TOKEN, '192.0.2.8')).status).toBe(429);
  });

  it('costs a request with the right token no database access, and an address without failures nothing', async () => {
    const { app, store } = testApp();
    await bearer(app, TEST_TOKEN, '192.0.2.9'); // settles the start-up clean-up write
    await new Promise((r) => setImmediate(r));
    const calls = [vi.spyOn(authFailuresRepo, 'live'), vi.spyOn(authFailuresRepo, 'save'), vi.spyOn(authFailuresRepo, 'delete'), vi.spyOn(authFailuresRepo, 'deleteEnded')];
    const writes = store.stats.writes;
    for (let i = 0; i < 50; i++) expect((await bearer(app, TEST_TOKEN, `192.0.2.${10 + (i % 5)}`, '/api/session')).status).toBe(200);
    expect(calls.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0, 0]);
    expect(store.stats.writes).toBe(writes);
    // A failure is one write, and the success after it one more (the count is deleted).
    expect((await bearer(app, 'wrong', '192.0.2.10')).status).toBe(401);
    expect((await bearer(app, TEST_TOKEN, '192.0.2.10')).status).toBe(200);
    expect(store.stats.writes).toBe(writes + 2);
  });

  it('does not count requests without credentials, which are not guesses', async () => {
    const { app } = testApp();
    for (let i = 0; i < 20; i++) expect((await app.request('/api/flows', {}, fromAddress('192.0.2.20'))).status).toBe(401);
    expect((await bearer(app, TEST_TOKEN, '192.0.2.20')).status).toBe(200);
  });
});
