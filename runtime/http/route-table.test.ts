import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../../test/kit/engine.js';
import { createApp } from './app.js';
import { ROLES, type Role } from '../../shared/people.js';
import { teamsFixture, type TeamResources } from '../../test/kit/teams.js';
import { ADMIN_PERMISSIONS, type AuthEnv, type Principal } from './auth.js';
import { permissionsOfRoles, principalOf, ROLE_PERMISSIONS } from './roles.js';
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
  const app = createApp({ engine, log, adminToken: TOKEN, hookBodyLimitBytes: 64 * 1024, version: 'test', now: () => t });
  // Wrong tokens are limited to 10 a minute per address: each probe with one starts a new minute.
  return { app, store, engine, nextMinute: () => (t += 61_000) };
}

/** A request path that only `pattern` answers: `:param` and `*` filled in with probe values. */
const probePath = (pattern: string) => pattern.replace(/:[a-zA-Z]+/g, 'walker-probe').replace(/\*$/, 'walker/probe');
/** `ALL` routes are probed with a method no other route on the path has. */
const probeMethod = (rule: RouteRule) => (rule.method === 'ALL' ? 'PATCH' : rule.method);

type Caller =
  | 'no credentials'
  | 'wrong token'
  | 'admin token'
  | 'admin session'
  | 'admin user'
  | 'viewer'
  | 'operator'
  | 'editor'
  | 'approver'
  | 'approver+operator'
  | 'no roles';
const CALLERS: Caller[] = [
  'no credentials',
  'wrong token',
  'admin token',
  'admin session',
  'admin user',
  'viewer',
  'operator',
  'editor',
  'approver',
  'approver+operator',
  'no roles',
];

/** The roles each user caller holds in team `alpha` (its own team); none of them holds any role in `beta`. */
const ROLES_OF: Partial<Record<Caller, Role[]>> = {
  viewer: ['viewer'],
  operator: ['operator'],
  editor: ['editor'],
  approver: ['approver'],
  'approver+operator': ['approver', 'operator'],
  'no roles': [],
};

/**
 * What each caller holds in a team: everything everywhere for the admins, its roles' permissions
 * in `alpha` for a team member, nothing elsewhere (undefined: not authenticated at all).
 */
function heldIn(caller: Caller, team: 'alpha' | 'beta'): ReadonlySet<Permission> | undefined {
  if (caller === 'no credentials' || caller === 'wrong token') return undefined;
  if (caller.startsWith('admin')) return ADMIN_PERMISSIONS;
  return team === 'alpha' ? permissionsOfRoles(ROLES_OF[caller] ?? []) : new Set();
}

/** The fixture's users: one per user caller, with its roles in `alpha`. */
const FIXTURE_USERS = Object.fromEntries(
  CALLERS.filter((c) => ROLES_OF[c] !== undefined || c === 'admin user').map((c) => [
    c,
    { admin: c === 'admin user', roles: (ROLES_OF[c] ?? []).map((role) => ({ team: 'alpha', role })) },
  ]),
);

const PARAM_OF: Partial<Record<RouteRule['team'], keyof TeamResources>> = {
  'flow-param': 'flow',
  'execution-param': 'execution',
  'approval-param': 'approval',
  'event-param': 'event',
  'secret-param': 'secret',
  'link-param': 'approvalLink',
};

/** The probe of a rule on `team`: its path with that team's resource (or `?team=`), else probe values. */
function probeFor(rule: RouteRule, resources: Record<'alpha' | 'beta', TeamResources>, team: 'alpha' | 'beta' | 'any'): string {
  if (team === 'any') return probePath(rule.path);
  const key = PARAM_OF[rule.team];
  if (key) return rule.path.replace(/:[a-zA-Z]+/, encodeURIComponent(resources[team][key]));
  return `${probePath(rule.path)}?team=${team}`;
}

async function request(app: ReturnType<typeof setup>['app'], rule: RouteRule, path: string, caller: Caller, cookies: Map<string, string>): Promise<Response> {
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
  }
  const cookie = cookies.get(caller);
  if (cookie) headers.cookie = cookie;
  if (headers.cookie) headers.origin = ORIGIN; // what the editor page sends with every change
  return app.request(path, init);
}

/**
 * Deletions last (signing out the very last), and each team-scoped route is probed on the other team's resource first: an
 * allowed probe that changes something (a deleted flow) cannot turn a later refusal into a 404.
 */
const lateness = (r: RouteRule) => (r.path === '/api/session' && r.method === 'DELETE' ? 2 : r.method === 'DELETE' ? 1 : 0);
const WALK_ORDER = [...ROUTE_TABLE].sort((a, b) => lateness(a) - lateness(b));

describe('the route table', () => {
  it('has exactly one row for every route the app registers, and no row for a route it does not', () => {
    const { app } = setup();
    expect(routeTableProblems(app, ROUTE_TABLE)).toEqual([]);
    expect(registeredRoutes(app).length).toBe(ROUTE_TABLE.length);
  });

  for (const caller of CALLERS) {
    it(`walker: every route as ${caller}, on its own team's resources and another team's, answers as its permission says`, async () => {
      const { app, engine, resources, cookies, nextMinute } = await teamsFixture(FIXTURE_USERS);
      const failures: string[] = [];
      for (const rule of WALK_ORDER) {
        const teams = PARAM_OF[rule.team] || rule.team === 'team-query' ? (['beta', 'alpha'] as const) : (['any'] as const);
        for (const team of teams) {
          if (caller === 'wrong token') nextMinute();
          const path = probeFor(rule, resources, team);
          const res = await request(app, rule, path, caller, cookies);
          const body = await res.text();
          const what = `${probeMethod(rule)} ${path} (${rule.permission}, ${rule.team}) as ${caller}: ${res.status} ${body.slice(0, 200)}`;
          if (res.status >= 500 && res.status !== 503) failures.push(`${what}: server error`);
          const alpha = heldIn(caller, 'alpha');
          const held = team === 'any' ? new Set([...(alpha ?? []), ...(heldIn(caller, 'beta') ?? [])]) : heldIn(caller, team);
          if (UNAUTHENTICATED.has(rule.permission)) {
            // Public and webhook routes: Salve's credentials are not asked for (a hook's source may still answer 401 itself).
            if (res.status === 401 || res.status === 403) failures.push(`${what}: refused, but the route is ${rule.permission}`);
          } else if (!alpha) {
            if (res.status !== 401) failures.push(`${what}: expected 401`);
          } else if (rule.permission === 'authenticated' || held?.has(rule.permission)) {
            if (res.status === 401 || res.status === 403) failures.push(`${what}: refused, but the caller holds ${rule.permission} there`);
          } else if (res.status !== 403) {
            failures.push(`${what}: expected 403`);
          }
        }
      }
      await engine.shutdown(0);
      expect(failures).toEqual([]);
    });
  }
});

/**
 * Principals holding one role each, against an app with the real app's routes in the real
 * app's order, but stub handlers that name themselves: the middleware lets each through exactly
 * the routes its role's permissions (or `public`, `hook`, `authenticated`) open, answers 403 on every
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

  for (const role of ROLES) {
    it(`a principal holding only the ${role} role, in one team`, async () => {
      const principal = principalOf({ kind: 'session', admin: false, teamRoles: new Map([['default', new Set([role])]]) });
      const app = stubApp(principal);
      for (const rule of ROUTE_TABLE) {
        const res = await app.request(probePath(rule.path), { method: probeMethod(rule) });
        const what = `${probeMethod(rule)} ${probePath(rule.path)} (${rule.permission})`;
        if (UNAUTHENTICATED.has(rule.permission) || rule.permission === 'authenticated' || ROLE_PERMISSIONS[role].includes(rule.permission)) {
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

  it('a principal without any role is told why it is refused', async () => {
    const app = stubApp(principalOf({ kind: 'session', admin: false, teamRoles: new Map() }));
    const res = await app.request('/api/flows');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'GET /api/flows needs the permission flows:read, which this session does not have: it holds no role in any team yet; ask an admin to give it one',
    );
  });

  it('every permission but public, hook and authenticated is held by the admin only, or by some role', () => {
    for (const permission of PERMISSIONS.filter((p) => !UNAUTHENTICATED.has(p) && p !== 'authenticated')) {
      const roles = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission));
      expect(roles.length > 0 || ['admin', 'audit:read', 'metrics'].includes(permission), permission).toBe(true);
    }
  });

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
