import { describe, expect, it } from 'vitest';
import { peopleApp, PASSWORD } from '../../test/kit/people.js';

const audit = (store: ReturnType<typeof peopleApp>['store'], like: string) =>
  store.sqlite.prepare('SELECT actor, action, target, details FROM audit WHERE action LIKE ? ORDER BY id').all(like) as {
    actor: string;
    action: string;
    target: string;
    details: string | null;
  }[];

describe('signing in with a username and password', () => {
  it('starts a session of the user, records the sign-in time and audits who signed in', async () => {
    const p = peopleApp();
    const ana = await p.user('ana');
    p.clock.advance(5000);
    const { res, cookie } = await p.signIn('ana');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authenticated: true });
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);

    const me = await p.call({ cookie: cookie! }, 'GET', '/api/me');
    expect(me.body).toMatchObject({ kind: 'user', admin: false, via: 'session', user: { id: ana.id, username: 'ana', displayName: 'ANA' } });
    expect((await p.call({ admin: true }, 'GET', `/api/users/${ana.id}`)).body.lastSignInAt).toBe(new Date(p.clock.now()).toISOString());
    const signIns = audit(p.store, 'session.sign_in');
    expect(signIns.map((r) => [r.actor, JSON.parse(r.details!)])).toEqual([['ana', { username: 'ana' }]]);
    // The username is matched as typed on a phone keyboard too.
    expect((await p.signIn(' Ana ')).res.status).toBe(200);
  });

  it('answers an unknown user, a wrong password and an account without a password alike, and audits the username tried', async () => {
    const p = peopleApp();
    await p.user('ana');
    await p.user('sso-only', { password: undefined });
    const answers = [];
    for (const [username, password] of [
      ['nobody', PASSWORD],
      ['ana', 'not the right password'],
      ['sso-only', PASSWORD],
    ] as const) {
      const { res, cookie } = await p.signIn(username, password);
      expect(cookie).toBeUndefined();
      answers.push([res.status, ((await res.json()) as any).error.message]);
    }
    expect(answers).toEqual(Array(3).fill([401, 'wrong username or password']));
    const failed = audit(p.store, 'session.sign_in_failed').map((r) => JSON.parse(r.details!));
    expect(failed).toEqual([
      { username: 'nobody', reason: 'unknown user' },
      { username: 'ana', reason: 'wrong password' },
      { username: 'sso-only', reason: 'no password' },
    ]);
    const dump = JSON.stringify(p.store.sqlite.prepare('SELECT * FROM audit').all()) + p.logs();
    expect(dump).not.toContain('not the right password');
    expect(dump).not.toContain(PASSWORD);
  });

  it('tells a disabled user so only when the password is right', async () => {
    const p = peopleApp();
    const ana = await p.user('ana');
    expect((await p.call({ admin: true }, 'PATCH', `/api/users/${ana.id}`, { disabled: true })).status).toBe(200);
    const right = await p.signIn('ana');
    expect(right.res.status).toBe(401);
    expect(((await right.res.json()) as any).error.message).toBe('this account is disabled');
    const wrong = await p.signIn('ana', 'a wrong password here');
    expect(((await wrong.res.json()) as any).error.message).toBe('wrong username or password');
  });

  it('limits failures per address (persisted, kind password), and a restart keeps the count', async () => {
    const p = peopleApp();
    await p.user('ana');
    for (let i = 0; i < 10; i++) expect((await p.signIn('ana', `guess number ${i}`, '198.51.100.7')).res.status).toBe(401);
    const limited = await p.signIn('ana', PASSWORD, '198.51.100.7');
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.res.json()) as any).error.message).toMatch(/too many failed sign-ins from this address; retry in \d+ s/);
    // Another address is not affected.
    expect((await p.signIn('ana', PASSWORD, '198.51.100.8')).res.status).toBe(200);
    expect(p.store.sqlite.prepare("SELECT key, failures FROM auth_failures WHERE key LIKE 'password:%'").all()).toEqual([
      { key: 'password:198.51.100.7', failures: 10 },
    ]);

    const restarted = peopleApp({ store: p.store, clock: p.clock });
    expect((await restarted.signIn('ana', PASSWORD, '198.51.100.7')).res.status).toBe(429);
    p.clock.advance(61_000);
    expect((await restarted.signIn('ana', PASSWORD, '198.51.100.7')).res.status).toBe(200);
  });

  it('names the fields of the form sent', async () => {
    const p = peopleApp();
    const post = (body: unknown) => p.call({ none: true }, 'POST', '/api/session', body);
    const empty = await post({});
    expect(empty.status).toBe(422);
    expect(empty.body.error.details.issues).toEqual([
      { path: ['username'], message: 'username is required' },
      { path: ['password'], message: 'password is required' },
    ]);
    expect((await post({ token: '' })).body.error.details.issues).toEqual([{ path: ['token'], message: 'token is required: the admin token' }]);
    expect((await post({ username: 'ana' })).body.error.details.issues).toEqual([{ path: ['password'], message: 'password is required' }]);
    // The admin token form still works as before.
    const admin = await post({ token: 'the-admin-token-0123456789' });
    expect(admin.status).toBe(200);
  });
});
