import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError, ValidationError } from '../../shared/errors.js';
import { SqliteStore } from '../store/db.js';
import { sqliteStore } from '../store/store.js';
import { ensureAdminToken, requestAuthenticator } from './auth.js';
import { authorize } from './authorize.js';
import { installErrorHandling } from './errors.js';
import { cookieMutationGuard } from './origin-check.js';
import { FailureLimiter } from './rate-limit.js';
import { readJsonBody } from './raw-body.js';
import type { RouteRule } from './route-table.js';
import { SessionManager } from './sessions.js';

const log = pino({ level: 'silent' });
const store = new SqliteStore(':memory:');
const sessions = new SessionManager(sqliteStore(store), 'the-admin-token-123456');

function app() {
  const a = new Hono();
  installErrorHandling(a, log);
  const tokenLimiter = new FailureLimiter({ max: 10, windowMs: 60_000 });
  const authenticate = requestAuthenticator({ adminToken: 'the-admin-token-123456', sessions, store: sqliteStore(store), guardMutation: cookieMutationGuard(undefined), tokenLimiter, log });
  const table: RouteRule[] = [
    { method: 'POST', path: '/api/echo', permission: 'authenticated', team: 'none', summary: 'test' },
    ...['validation', 'conflict', 'busy', 'sqlite', 'bug'].map(
      (name): RouteRule => ({ method: 'GET', path: `/api/${name}`, permission: 'authenticated', team: 'none', summary: 'test' }),
    ),
  ];
  a.use('*', authorize({ authenticate, log, table }));
  a.post('/api/echo', async (c) => c.json((await readJsonBody(c, { limitBytes: 100 })).json as object));
  a.get('/api/validation', () => {
    throw new ValidationError('flow is invalid', [{ path: ['nodes', 0, 'id'], message: 'bad id' }]);
  });
  a.get('/api/conflict', () => {
    throw new ConflictError('stale');
  });
  a.get('/api/busy', () => {
    throw new UnavailableError('busy', 7);
  });
  a.get('/api/sqlite', () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  });
  a.get('/api/bug', () => {
    throw new Error('secret internals at /home/x');
  });
  return a;
}

const auth = { authorization: 'Bearer the-admin-token-123456' };

describe('bearer auth', () => {
  it('rejects wrong tokens with a JSON 401', async () => {
    for (const headers of [{ authorization: 'Bearer nope' }, { authorization: 'the-admin-token-123456' }] as Record<string, string>[]) {
      const res = await app().request('/api/conflict', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'invalid bearer token' } });
    }
  });

  it('tells a request without credentials how to authenticate', async () => {
    const res = await app().request('/api/conflict');
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(/Authorization: Bearer .*POST \/api\/session/);
  });

  it('an unknown session cookie is a 401 that also clears the cookie', async () => {
    const res = await app().request('/api/conflict', { headers: { cookie: `salve_session=${'a'.repeat(43)}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toMatch(/^salve_session=; Max-Age=0; Path=\/;/);
  });
});

describe('error mapping', () => {
  it.each([
    ['/api/validation', 422, 'validation_failed'],
    ['/api/conflict', 409, 'conflict'],
    ['/api/busy', 503, 'unavailable'],
    ['/api/sqlite', 503, 'unavailable'],
    ['/api/bug', 500, 'internal'],
    ['/api/nowhere', 404, 'not_found'],
  ])('%s → %i %s', async (path, status, code) => {
    const res = await app().request(path, { headers: auth });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toContain('internals');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('sends Retry-After with 503', async () => {
    expect((await app().request('/api/busy', { headers: auth })).headers.get('retry-after')).toBe('7');
    expect((await app().request('/api/sqlite', { headers: auth })).headers.get('retry-after')).toBe('5');
  });

  it('lists validation issues with their paths', async () => {
    const body = (await (await app().request('/api/validation', { headers: auth })).json()) as any;
    expect(body.error.details.issues).toEqual([{ path: ['nodes', 0, 'id'], message: 'bad id' }]);
  });
});

describe('JSON bodies', () => {
  const post = (body: string, contentType = 'application/json') =>
    app().request('/api/echo', { method: 'POST', headers: { ...auth, 'content-type': contentType }, body });

  it('accepts JSON with a charset', async () => {
    expect((await post('{"a":1}', 'application/json; charset=utf-8')).status).toBe(200);
  });
  it('415 for other content types', async () => {
    expect((await post('{"a":1}', 'text/plain')).status).toBe(415);
  });
  it('413 past the limit', async () => {
    expect((await post(JSON.stringify({ pad: 'x'.repeat(200) }))).status).toBe(413);
  });
  it('400 for broken JSON, empty bodies and absurd nesting', async () => {
    expect((await post('{"a":')).status).toBe(400);
    expect((await post('')).status).toBe(400);
    expect((await post('['.repeat(70) + ']'.repeat(70))).status).toBe(413);
  });
});

describe('admin token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salve-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once with mode 0600, then reused', () => {
    const first = ensureAdminToken(dir, undefined);
    expect(first.created).toBe(true);
    expect(first.token.length).toBeGreaterThanOrEqual(40);
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(first.token);
    const second = ensureAdminToken(dir, undefined);
    // The absolute path, which the sign-in page names.
    expect(second).toEqual({ token: first.token, created: false, file: join(dir, 'admin-token') });
    expect(first.file).toBe(join(dir, 'admin-token'));
  });

  it('is overridden by SALVE_ADMIN_TOKEN without touching the file', () => {
    expect(ensureAdminToken(dir, 'override-token-1234567')).toEqual({ token: 'override-token-1234567', created: false });
  });
});
