import { describe, expect, it } from 'vitest';
import { ADMIN, peopleApp, PASSWORD } from '../../test/kit/people.js';
import { NO_ROLE_EXPLANATION } from './routes-me.js';

describe('/api/me', () => {
  it('says who is signed in, with their teams and roles, and explains an account without any role', async () => {
    const p = peopleApp();
    await p.team('payments', 'Payments');
    expect((await p.call(ADMIN, 'GET', '/api/me')).body).toEqual({
      kind: 'bootstrap-admin',
      admin: true,
      via: 'token',
      teams: [
        { id: 'default', name: 'Default', roles: [] },
        { id: 'payments', name: 'Payments', roles: [] },
      ],
    });
    await p.user('ana', { email: 'ana@example.com', roles: [{ team: 'payments', roles: ['approver', 'viewer'] }] });
    expect((await p.call(await p.session('ana'), 'GET', '/api/me')).body).toEqual({
      user: { id: expect.any(String), username: 'ana', displayName: 'ANA', email: 'ana@example.com' },
      kind: 'user',
      admin: false,
      via: 'session',
      teams: [{ id: 'payments', name: 'Payments', roles: ['viewer', 'approver'] }],
    });
    await p.user('newbie');
    const newbie = await p.session('newbie');
    const me = (await p.call(newbie, 'GET', '/api/me')).body;
    expect(me.teams).toEqual([]);
    expect(me.explanation).toBe(NO_ROLE_EXPLANATION);
    expect((await p.call(newbie, 'GET', '/api/flows')).body.error.message).toContain('it holds no role in any team yet');
  });
});

describe('/api/me/sessions', () => {
  it('lists only the caller’s sessions, marks the current one, and ends one (the current one signs out)', async () => {
    const p = peopleApp();
    await p.user('ana');
    await p.user('bo');
    const first = await p.session('ana');
    p.clock.advance(1000);
    const second = await p.session('ana');
    const bo = await p.session('bo');
    const list = (await p.call(second, 'GET', '/api/me/sessions')).body.items;
    expect(list).toHaveLength(2);
    expect(list.map((s: any) => s.current)).toEqual([true, false]);
    expect(list[0]).toMatchObject({ address: '192.0.2.1', userAgent: 'test-browser/1.0' });
    const firstId = list[1].id;

    expect((await p.call(bo, 'DELETE', `/api/me/sessions/${firstId}`)).status).toBe(404);
    expect((await p.call(ADMIN, 'DELETE', `/api/me/sessions/${firstId}`)).status).toBe(404);
    expect((await p.call(ADMIN, 'GET', '/api/me/sessions')).body).toEqual({ items: [] });
    expect((await p.call(second, 'DELETE', `/api/me/sessions/${firstId}`)).status).toBe(204);
    expect((await p.call(first, 'GET', '/api/me')).status).toBe(401);

    const currentId = (await p.call(second, 'GET', '/api/me/sessions')).body.items[0].id;
    const ended = await p.call(second, 'DELETE', `/api/me/sessions/${currentId}`);
    expect(ended.status).toBe(204);
    expect(ended.headers.get('set-cookie')).toMatch(/^salve_session=;/);
    expect((await p.call(second, 'GET', '/api/me')).status).toBe(401);
    expect(p.store.sqlite.prepare("SELECT actor FROM audit WHERE action = 'session.end'").all()).toEqual([{ actor: 'ana' }, { actor: 'ana' }]);
  });
});

describe('/api/me/password', () => {
  it('changes the password given the current one, and signs out the other sessions', async () => {
    const p = peopleApp();
    await p.user('ana');
    const other = await p.session('ana');
    const here = await p.session('ana');
    const NEW = 'a brand new long password';
    const wrong = await p.call(here, 'PUT', '/api/me/password', { current: 'not my password', password: NEW });
    expect([wrong.status, wrong.body.error.message]).toEqual([403, 'current: that is not your current password']);
    const short = await p.call(here, 'PUT', '/api/me/password', { current: PASSWORD, password: 'short' });
    expect(short.body.error.details.issues).toEqual([{ path: ['password'], message: 'a password has at least 12 characters' }]);
    expect((await p.call(here, 'PUT', '/api/me/password', { current: PASSWORD, password: NEW })).status).toBe(204);
    expect((await p.call(here, 'GET', '/api/me')).status).toBe(200);
    expect((await p.call(other, 'GET', '/api/me')).status).toBe(401);
    expect((await p.signIn('ana')).res.status).toBe(401);
    expect((await p.signIn('ana', NEW)).res.status).toBe(200);
    const row = p.store.sqlite.prepare("SELECT actor, details FROM audit WHERE action = 'password.change'").get() as any;
    expect([row.actor, JSON.parse(row.details)]).toEqual(['ana', { otherSessionsEnded: 1 }]);
    expect(JSON.stringify(p.store.sqlite.prepare('SELECT * FROM audit').all())).not.toContain(NEW);
  });

  it('counts wrong current passwords against the sign-in limit, and refuses the admin token (409)', async () => {
    const p = peopleApp();
    await p.user('ana');
    const here = await p.session('ana');
    for (let i = 0; i < 10; i++) expect((await p.call(here, 'PUT', '/api/me/password', { current: `guess ${i}`, password: 'whatever it is long' })).status).toBe(403);
    expect((await p.call(here, 'PUT', '/api/me/password', { current: PASSWORD, password: 'whatever it is long' })).status).toBe(429);
    expect((await p.signIn('ana')).res.status).toBe(429);
    const admin = await p.call(ADMIN, 'PUT', '/api/me/password', { current: 'x', password: 'whatever it is long' });
    expect(admin.status).toBe(409);
  });
});
