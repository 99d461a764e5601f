import { expect } from 'vitest';
import type { UserView } from '../../shared/people.js';
import { fromAddress, TEST_TOKEN, testApp } from './http.js';
import type { Role } from '../../shared/people.js';
import type { Decider } from '../../runtime/engine/approvals/rules.js';
import type { SqliteStore } from '../../runtime/store/db.js';
import { appendAudit } from '../../runtime/store/audit-repo.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { hashPassword } from '../../runtime/http/passwords.js';
import { bootstrapAdmin } from '../../runtime/http/roles.js';
import { userPrincipal } from '../../runtime/http/user-principal.js';

/** The origin of `app.request('/…')` URLs: what the editor page sends with every change. */
const ORIGIN = 'http://localhost';
export const PASSWORD = 'correct horse battery staple';

type App = ReturnType<typeof testApp>['app'];

/** How a test request is authenticated: the admin token, a session cookie, a bearer token, or nothing. */
export type As = { admin: true } | { cookie: string } | { bearer: string } | { none: true };
export const ADMIN: As = { admin: true };

/**
 * Calls the app as `as` from `address` (default 192.0.2.1): JSON in, JSON out. Cookie requests
 * carry the page's Origin and a JSON content type, as the editor's do.
 */
async function call(app: App, as: As, method: string, path: string, body?: unknown, address = '192.0.2.1') {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if ('admin' in as) headers.authorization = `Bearer ${TEST_TOKEN}`;
  if ('bearer' in as) headers.authorization = `Bearer ${as.bearer}`;
  // The editor sends every change as JSON, even one without a body (the cookie guard asks for it).
  if ('cookie' in as) Object.assign(headers, { cookie: as.cookie, origin: ORIGIN, 'content-type': 'application/json' });
  const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, fromAddress(address));
  const text = await res.text();
  const json: any = text ? JSON.parse(text) : null;
  return { status: res.status, body: json, headers: res.headers };
}

/** An app (testApp) with helpers to make users and sign them in. */
export function peopleApp(opts: Parameters<typeof testApp>[0] = {}) {
  const t = testApp(opts);
  const { app } = t;
  /** Signs in with a password; answers the response and the `salve_session=…` pair (when one was set). */
  const signIn = async (username: string, password = PASSWORD, address = '192.0.2.1') => {
    const res = await app.request(
      '/api/session',
      { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, 'user-agent': 'test-browser/1.0' }, body: JSON.stringify({ username, password }) },
      fromAddress(address),
    );
    const cookie = /^(salve_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    return { res, cookie };
  };
  return {
    ...t,
    signIn,
    call: (as: As, method: string, path: string, body?: unknown, address?: string) => call(app, as, method, path, body, address),
    /** Creates a team as the admin. */
    async team(id: string, name = id) {
      const res = await call(app, ADMIN, 'POST', '/api/teams', { id, name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    },
    /** Creates a user as the admin (password PASSWORD unless given); answers its view. */
    async user(username: string, extra: Record<string, unknown> = {}): Promise<UserView> {
      const res = await call(app, ADMIN, 'POST', '/api/users', { username, displayName: username.toUpperCase(), password: PASSWORD, ...extra });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
    /** Signs in and answers the cookie, failing the test when sign-in fails. */
    async session(username: string, password = PASSWORD): Promise<{ cookie: string }> {
      const { res, cookie } = await signIn(username, password);
      expect(res.status, await res.clone().text()).toBe(200);
      return { cookie: cookie! };
    },
  };
}

/** The bootstrap admin token deciding over the API (break-glass where accounts exist). */
export function adminDecider(): Decider {
  return { actor: { name: 'admin', via: 'token', identity: 'admin' }, identity: 'admin', principal: bootstrapAdmin('admin-token') };
}

/**
 * A user created straight in the store (until the users API is on main), with roles per team
 * and, optionally, a password to sign in with; the creation is audited like an admin's.
 */
export async function addUser(
  store: SqliteStore,
  u: { id?: string; username: string; roles: { teamId: string; role: Role }[]; password?: string; admin?: boolean; kind?: 'person' | 'service' },
): Promise<{ id: string; decider: () => Decider }> {
  const id = u.id ?? `u-${u.username}`;
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  await store.write((db) => {
    for (const teamId of new Set(u.roles.map((r) => r.teamId))) {
      if (!peopleRepo.team(db, teamId)) peopleRepo.insertTeam(db, { id: teamId, name: teamId, createdAt: 0 });
    }
    peopleRepo.insertUser(db, {
      id,
      kind: u.kind ?? 'person',
      username: u.username,
      displayName: u.username,
      email: null,
      passwordHash,
      oidcIssuer: null,
      oidcSubject: null,
      admin: u.admin ?? false,
      disabled: false,
      createdAt: 0,
      updatedAt: 0,
      lastSignInAt: null,
    });
    peopleRepo.replaceMemberships(db, id, 'manual', u.roles);
    appendAudit(db, { actor: { name: 'admin', via: 'token', identity: 'admin' }, action: 'user.create', target: id, after: { username: u.username, roles: u.roles }, now: 0 });
  });
  return {
    id,
    // Read at each call: the user's roles as they are now.
    decider: () => {
      const found = userPrincipal(store.db, id, 'session')!;
      return { actor: { name: u.username, via: 'session', identity: `user:${id}` }, identity: `user:${id}`, principal: found.principal };
    },
  };
}
