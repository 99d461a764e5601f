import { expect } from 'vitest';
import type { UserView } from '../../shared/people.js';
import { fromAddress, TEST_TOKEN, testApp } from './http.js';

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
