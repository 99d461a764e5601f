import { describe, expect, it } from 'vitest';
import { flowDoc } from '../../test/kit/flow.js';
import { ADMIN, peopleApp } from '../../test/kit/people.js';

describe('/api/users', () => {
  it('creates users with roles, refuses a taken username and an unknown team, never answers a password hash', async () => {
    const p = peopleApp();
    await p.team('payments', 'Payments');
    const res = await p.call(ADMIN, 'POST', '/api/users', {
      username: 'ana',
      displayName: 'Ana Lima',
      email: 'ana@example.com',
      password: 'a long enough password',
      roles: [{ team: 'payments', roles: ['approver', 'editor'] }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'ana',
      kind: 'person',
      admin: false,
      disabled: false,
      signIn: ['password'],
      roles: [{ team: 'payments', roles: ['editor', 'approver'], origin: 'manual' }],
      lastSignInAt: null,
    });
    expect(JSON.stringify(await p.call(ADMIN, 'GET', '/api/users'))).not.toMatch(/scrypt|passwordHash/);

    const taken = await p.call(ADMIN, 'POST', '/api/users', { username: 'ana', displayName: 'Other' });
    expect([taken.status, taken.body.error.message]).toEqual([409, 'username "ana" is taken']);
    const unknownTeam = await p.call(ADMIN, 'POST', '/api/users', { username: 'bo', displayName: 'Bo', roles: [{ team: 'nope', roles: ['viewer'] }] });
    expect(unknownTeam.status).toBe(422);
    expect(unknownTeam.body.error.details.issues).toEqual([{ path: ['roles', 0, 'team'], message: 'no team "nope"' }]);
    expect((await p.call(ADMIN, 'GET', '/api/users')).body.items.map((u: any) => u.username)).toEqual(['ana']); // nothing half-written
    const service = await p.call(ADMIN, 'POST', '/api/users', { username: 'ci-bot', displayName: 'CI', kind: 'service', password: 'a long enough password' });
    expect(service.body.error.details.issues[0].path).toEqual(['password']);
    expect((await p.call(ADMIN, 'GET', '/api/users/us_missing')).status).toBe(404);

    const audit = p.store.sqlite.prepare("SELECT actor, action, after, details FROM audit WHERE action = 'user.create'").all() as any[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after)).toEqual({ username: 'ana', kind: 'person', displayName: 'Ana Lima', email: 'ana@example.com', admin: false, disabled: false });
    expect(audit[0].details).not.toContain('a long enough password');
  });

  it('is for admins only', async () => {
    const p = peopleApp();
    await p.user('ana');
    const ana = await p.session('ana');
    expect((await p.call(ana, 'GET', '/api/users')).status).toBe(403);
    expect((await p.call(ana, 'POST', '/api/users', { username: 'eve', displayName: 'Eve', admin: true })).status).toBe(403);
  });

  it('disabling a user ends their sessions and revokes their tokens at once; an admin cannot disable or un-admin themself', async () => {
    const p = peopleApp();
    const ana = await p.user('ana', { roles: [{ team: 'default', roles: ['viewer'] }] });
    const cookie = await p.session('ana');
    const made = await p.call(cookie, 'POST', '/api/tokens', { name: 'cli', team: 'default', roles: ['viewer'], expiresInDays: 30 });
    expect(made.status).toBe(201);
    const token = { bearer: made.body.token as string };
    expect((await p.call(token, 'GET', '/api/flows')).status).toBe(200);

    const patched = await p.call(ADMIN, 'PATCH', `/api/users/${ana.id}`, { disabled: true, displayName: 'Ana (left)' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ disabled: true, displayName: 'Ana (left)' });
    expect((await p.call(cookie, 'GET', '/api/flows')).status).toBe(401);
    expect((await p.call(token, 'GET', '/api/flows')).status).toBe(401);
    const row = p.store.sqlite.prepare("SELECT before, after, details FROM audit WHERE action = 'user.update'").get() as any;
    expect(JSON.parse(row.details)).toEqual({ sessionsEnded: 1, tokensRevoked: 1 });
    expect(JSON.parse(row.before)).toMatchObject({ disabled: false, displayName: 'ANA' });

    const boss = await p.user('boss', { admin: true });
    const bossSession = await p.session('boss');
    const self = await p.call(bossSession, 'PATCH', `/api/users/${boss.id}`, { disabled: true });
    expect([self.status, self.body.error.message]).toEqual([409, 'you cannot disable your own account; ask another admin']);
    expect((await p.call(bossSession, 'PATCH', `/api/users/${boss.id}`, { admin: false })).status).toBe(409);
    // Another admin's change goes through; re-enabling lets the user sign in again.
    expect((await p.call(bossSession, 'PATCH', `/api/users/${ana.id}`, { disabled: false })).status).toBe(200);
    expect((await p.signIn('ana')).res.status).toBe(200);
  });

  it('a new password from an admin works; the audit says a password changed, never which', async () => {
    const p = peopleApp();
    const ana = await p.user('ana');
    expect((await p.call(ADMIN, 'PATCH', `/api/users/${ana.id}`, { password: 'the new password is long' })).status).toBe(200);
    expect((await p.signIn('ana')).res.status).toBe(401);
    expect((await p.signIn('ana', 'the new password is long')).res.status).toBe(200);
    const row = p.store.sqlite.prepare("SELECT details FROM audit WHERE action = 'user.update'").get() as any;
    expect(JSON.parse(row.details)).toEqual({ passwordChanged: true });
  });

  it('PUT roles replaces the roles given by hand, keeps single sign-on ones, and changes what the user may do at once', async () => {
    const p = peopleApp();
    await p.team('payments');
    const ana = await p.user('ana', { roles: [{ team: 'default', roles: ['viewer'] }] });
    p.store.sqlite.prepare("INSERT INTO memberships (user_id, team_id, role, origin) VALUES (?, 'payments', 'viewer', 'oidc')").run(ana.id);
    const cookie = await p.session('ana');
    expect((await p.call(cookie, 'POST', '/api/flows?team=default', flowDoc())).status).toBe(403);
    const put = await p.call(ADMIN, 'PUT', `/api/users/${ana.id}/roles`, { roles: [{ team: 'default', roles: ['editor'] }] });
    expect(put.body.roles).toEqual([
      { team: 'default', roles: ['editor'], origin: 'manual' },
      { team: 'payments', roles: ['viewer'], origin: 'oidc' },
    ]);
    expect((await p.call(cookie, 'POST', '/api/flows?team=default', flowDoc())).status).toBe(201);
    const row = p.store.sqlite.prepare("SELECT before, after FROM audit WHERE action = 'user.roles'").get() as any;
    expect([JSON.parse(row.before), JSON.parse(row.after)]).toEqual([{ roles: [{ team: 'default', roles: ['viewer'] }] }, { roles: [{ team: 'default', roles: ['editor'] }] }]);
  });
});

describe('/api/teams', () => {
  it('admins create, rename and delete teams; others list only their own', async () => {
    const p = peopleApp();
    await p.team('payments', 'Payments');
    const dup = await p.call(ADMIN, 'POST', '/api/teams', { id: 'payments', name: 'Again' });
    expect([dup.status, dup.body.error.message]).toEqual([409, 'team id "payments" is taken']);
    expect((await p.call(ADMIN, 'POST', '/api/teams', { id: 'Bad Id', name: 'x' })).body.error.details.issues[0].path).toEqual(['id']);
    await p.team('search');
    await p.user('ana', { roles: [{ team: 'payments', roles: ['viewer', 'operator'] }] });
    const ana = await p.session('ana');
    const seen = await p.call(ana, 'GET', '/api/teams');
    expect(seen.body.items).toEqual([
      { id: 'payments', name: 'Payments', createdAt: expect.any(String), flowCount: 0, members: [{ userId: expect.any(String), username: 'ana', displayName: 'ANA', roles: ['viewer', 'operator'] }] },
    ]);
    expect((await p.call(ADMIN, 'GET', '/api/teams')).body.items.map((t: any) => t.id)).toEqual(['default', 'payments', 'search']);
    expect((await p.call(ana, 'POST', '/api/teams', { id: 'mine', name: 'Mine' })).status).toBe(403);

    const renamed = await p.call(ADMIN, 'PATCH', '/api/teams/payments', { name: 'Payments & Billing' });
    expect(renamed.body).toMatchObject({ id: 'payments', name: 'Payments & Billing' });
    expect((await p.call(ADMIN, 'PATCH', '/api/teams/nope', { name: 'x' })).status).toBe(404);

    expect((await p.call(ADMIN, 'POST', '/api/flows?team=payments', flowDoc())).status).toBe(201);
    const owns = await p.call(ADMIN, 'DELETE', '/api/teams/payments');
    expect([owns.status, owns.body.error.message]).toEqual([409, 'team "payments" still owns 1 flow(s) and 0 secret(s): delete or move them first']);
    expect((await p.call(ADMIN, 'DELETE', '/api/teams/default')).status).toBe(409);
    expect((await p.call(ADMIN, 'DELETE', '/api/teams/search')).status).toBe(204);
    expect((await p.call(ADMIN, 'DELETE', '/api/teams/search')).status).toBe(404);
    const actions = p.store.sqlite.prepare("SELECT action, target FROM audit WHERE action LIKE 'team.%' ORDER BY id").all();
    expect(actions).toEqual([
      { action: 'team.create', target: 'payments' },
      { action: 'team.create', target: 'search' },
      { action: 'team.update', target: 'payments' },
      { action: 'team.delete', target: 'search' },
    ]);
  });

  it('deleting a team takes its roles away and revokes its tokens', async () => {
    const p = peopleApp();
    await p.team('tmp');
    const ana = await p.user('ana', { roles: [{ team: 'tmp', roles: ['viewer'] }] });
    const made = await p.call(await p.session('ana'), 'POST', '/api/tokens', { name: 't', team: 'tmp', roles: ['viewer'], expiresInDays: 1 });
    expect((await p.call(ADMIN, 'DELETE', '/api/teams/tmp')).status).toBe(204);
    expect((await p.call(ADMIN, 'GET', `/api/users/${ana.id}`)).body.roles).toEqual([]);
    expect((await p.call({ bearer: made.body.token }, 'GET', '/api/me')).status).toBe(401);
  });
});
