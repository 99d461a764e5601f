import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { createApp } from './app.js';
import { ADMIN_PERMISSIONS, type AuthEnv, type Principal } from './auth.js';
import { authorize } from './authorize.js';
import { installErrorHandling } from './errors.js';
import { registeredRoutes, routeTableProblems } from './route-coverage.js';
import { PERMISSIONS, ROUTE_TABLE, UNAUTHENTICATED, type Permission, type RouteRule } from './route-table.js';

// The route-authorization walker: every route the app registers × every kind of caller.

const TOKEN = 'the-admin-token-0123456789';
const ORIGIN = 'http://localhost';
const log = pino({ level: 'silent' });

function setup() {
  let t = Date.parse('2026-11-24T00:00:00Z');
  const { engine, store } = testEngine();
  const app = createApp({ engine, store, log, adminToken: TOKEN, hookBodyLimitBytes: 64 * 1024, version: 'test', now: () => t });
  // Wrong tokens are limited to 10 a minute per address: each probe with one starts a new minute.
  return { app, nextMinute: () => (t += 61_000) };
}

/** A request path that only `pattern` answers: `:param` and `*` filled in with probe values. */
const probePath = (pattern: string) => pattern.replace(/:[a-zA-Z]+/g, 'walker-probe').replace(/\*$/, 'walker/probe');
/** `ALL` routes are probed with a method no other route on the path has. */
const probeMethod = (rule: RouteRule) => (rule.method === 'ALL' ? 'PATCH' : rule.method);

type Caller = 'no credentials' | 'wrong token' | 'admin token' | 'admin session';
const CALLERS: Caller[] = ['no credentials', 'wrong token', 'admin token', 'admin session'];

/**
 * Who each caller is. Today only the admin exists (token or session, every permission); roles,
 * and own team / other team, are more rows here once users and teams exist.
 */
const PERMISSIONS_OF: Record<Caller, ReadonlySet<Permission> | undefined> = {
  'no credentials': undefined,
  'wrong token': undefined,
  'admin token': ADMIN_PERMISSIONS,
  'admin session': ADMIN_PERMISSIONS,
};

async function request(app: ReturnType<typeof setup>['app'], rule: RouteRule, caller: Caller): Promise<Response> {
  const method = probeMethod(rule);
  const headers: Record<string, string> = {};
  const init: RequestInit = { method, headers };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    init.body = '{}';
  }
  if (caller === 'wrong token') headers.authorization = 'Bearer not-the-admin-token';
  if (caller === 'admin token') headers.authorization = `Bearer ${TOKEN}`;
  if (caller === 'admin session') {
    // A new session each time: one of the routes probed is signing out.
    const signIn = await app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(signIn.status).toBe(200);
    headers.cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    headers.origin = ORIGIN; // what the editor page sends with every change
  }
  return app.request(probePath(rule.path), init);
}

describe('the route table', () => {
  it('has exactly one row for every route the app registers, and no row for a route it does not', () => {
    const { app } = setup();
    expect(routeTableProblems(app, ROUTE_TABLE)).toEqual([]);
    expect(registeredRoutes(app).length).toBe(ROUTE_TABLE.length);
  });

  it('walker: every route × every caller gets the status its permission says', async () => {
    const { app, nextMinute } = setup();
    const failures: string[] = [];
    for (const rule of ROUTE_TABLE) {
      for (const caller of CALLERS) {
        if (caller === 'wrong token') nextMinute();
        const res = await request(app, rule, caller);
        const body = await res.text();
        const what = `${probeMethod(rule)} ${probePath(rule.path)} (${rule.permission}) as ${caller}: ${res.status} ${body.slice(0, 200)}`;
        const held = PERMISSIONS_OF[caller];
        if (res.status >= 500 && res.status !== 503) failures.push(`${what}: server error`);
        if (UNAUTHENTICATED.has(rule.permission)) {
          // Public and webhook routes: Salve's credentials are not asked for (a hook's source may still answer 401 itself).
          if (res.status === 401 || res.status === 403) failures.push(`${what}: refused, but the route is ${rule.permission}`);
        } else if (!held) {
          if (res.status !== 401) failures.push(`${what}: expected 401`);
        } else if (rule.permission === 'authenticated' || held.has(rule.permission)) {
          if (res.status === 401 || res.status === 403) failures.push(`${what}: refused, but the caller holds ${rule.permission}`);
        } else if (res.status !== 403) {
          failures.push(`${what}: expected 403`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

/**
 * Principals holding one permission each, against an app with the real app's routes in the real
 * app's order, but stub handlers that name themselves: the middleware lets each through exactly
 * the routes its permission (or `public`, `hook`, `authenticated`) opens, answers 403 on every
 * other, and each probe reaches the route it was made for (so the walker above probes every route).
 */
describe('authorization by permission', () => {
  const realOrder = registeredRoutes(setup().app).map((r) => ROUTE_TABLE.find((rule) => rule.method === r.method && rule.path === r.path)!);

  function stubApp(principal: Principal | undefined) {
    const app = new Hono<AuthEnv>();
    installErrorHandling(app, log);
    app.use('*', authorize({ authenticate: async () => principal, log }));
    for (const rule of realOrder) {
      const answer = (c: { json: (v: unknown) => Response }) => c.json({ route: `${rule.method} ${rule.path}` });
      if (rule.method === 'ALL') app.all(rule.path, answer);
      else app.on(rule.method, rule.path, answer);
    }
    return app;
  }

  for (const permission of PERMISSIONS.filter((p) => !UNAUTHENTICATED.has(p))) {
    it(`a principal holding only ${permission}`, async () => {
      const app = stubApp({ kind: 'session', admin: false, teamRoles: new Map([['default', new Set()]]), permissions: new Set([permission]) });
      for (const rule of ROUTE_TABLE) {
        const res = await app.request(probePath(rule.path), { method: probeMethod(rule) });
        const what = `${probeMethod(rule)} ${probePath(rule.path)} (${rule.permission})`;
        if (UNAUTHENTICATED.has(rule.permission) || rule.permission === 'authenticated' || rule.permission === permission) {
          expect(res.status, what).toBe(200);
          expect(await res.json(), what).toEqual({ route: `${rule.method} ${rule.path}` });
        } else {
          expect(res.status, what).toBe(403);
          expect(await res.json(), what).toEqual({
            error: {
              code: 'forbidden',
              message: `${rule.method} ${rule.path} needs the permission ${rule.permission}, which this session does not have`,
            },
          });
        }
      }
    });
  }

  it('no principal: 401 everywhere but public and webhook routes', async () => {
    const app = stubApp(undefined);
    for (const rule of ROUTE_TABLE) {
      const res = await app.request(probePath(rule.path), { method: probeMethod(rule) });
      expect(res.status, `${rule.method} ${rule.path}`).toBe(UNAUTHENTICATED.has(rule.permission) ? 200 : 401);
    }
  });
});

describe('a route added without a rule', () => {
  function appWithUnruledRoute() {
    const { app } = setup();
    app.get('/api/unruled', (c) => c.json({ secret: 'should not be reached' }));
    return app;
  }

  it('fails the table check, naming the route', () => {
    expect(routeTableProblems(appWithUnruledRoute(), ROUTE_TABLE)).toEqual(['GET /api/unruled: registered, but has no row in the route table']);
  });

  it('is refused with 403 whoever asks, never answered', async () => {
    const app = appWithUnruledRoute();
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const res = await app.request('/api/unruled', { headers });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'forbidden', message: 'route has no authorization rule: GET /api/unruled' } });
    }
  });

  it('a row for a route that is not registered, or a second row, fails the table check too', () => {
    const { app } = setup();
    const extra: RouteRule = { method: 'GET', path: '/api/gone', permission: 'flows:read', team: 'none', summary: 'stale' };
    expect(routeTableProblems(app, [...ROUTE_TABLE, extra, ROUTE_TABLE[0]!])).toEqual([
      'GET /api/gone: in the route table, but not registered',
      `${ROUTE_TABLE[0]!.method} ${ROUTE_TABLE[0]!.path}: more than one row in the route table`,
    ]);
  });
});

describe('unknown paths', () => {
  it('under /api need authentication before they are 404; elsewhere they are 404 at once', async () => {
    const { app } = setup();
    expect((await app.request('/api/no-such-thing')).status).toBe(401);
    expect((await app.request('/api/no-such-thing', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await app.request('/no-such-thing')).status).toBe(404);
  });
});
