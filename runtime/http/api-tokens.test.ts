import { describe, expect, it } from 'vitest';
import { flowDoc } from '../../test/kit/flow.js';
import { ADMIN, peopleApp, type As } from '../../test/kit/people.js';
import { apiTokenHash } from './api-tokens.js';

const DAY = 24 * 3600_000;

async function setup() {
  const p = peopleApp();
  await p.team('payments');
  await p.team('search');
  const ana = await p.user('ana', { roles: [{ team: 'payments', roles: ['viewer', 'editor'] }] });
  const session = await p.session('ana');
  expect((await p.call(ADMIN, 'POST', '/api/flows?team=payments', flowDoc({ id: 'pay' }))).status).toBe(201);
  expect((await p.call(ADMIN, 'POST', '/api/flows?team=search', flowDoc({ id: 'find' }))).status).toBe(201);
  const make = (body: Record<string, unknown>, as: As = session) => p.call(as, 'POST', '/api/tokens', { name: 'cli', team: 'payments', expiresInDays: 30, ...body });
  return { p, ana, session, make };
}

describe('API tokens', () => {
  it('are answered once, stored as a SHA-256 only, and act with their roles in their team only', async () => {
    const { p, ana, make } = await setup();
    const made = await make({ roles: ['viewer'] });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^salve_pat_[A-Za-z0-9_-]{43}$/);
    expect(made.body.item).toMatchObject({ name: 'cli', userId: ana.id, username: 'ana', team: 'payments', roles: ['viewer'], lastUsedAt: null, revokedAt: null });
    const stored = JSON.stringify(p.store.sqlite.prepare('SELECT * FROM api_tokens').all()) + JSON.stringify(p.store.sqlite.prepare('SELECT * FROM audit').all());
    expect(stored).not.toContain(made.body.token);
    expect(stored).toContain(apiTokenHash(made.body.token));

    const token = { bearer: made.body.token as string };
    expect((await p.call(token, 'GET', '/api/flows')).body.items.map((f: any) => f.id)).toEqual(['pay']);
    expect((await p.call(token, 'GET', '/api/flows/pay')).status).toBe(200);
    expect((await p.call(token, 'GET', '/api/flows/find')).status).toBe(403);
    // Ana may edit flows, but this token only reads.
    const put = await p.call(token, 'PUT', '/api/flows/pay', { flow: flowDoc({ id: 'pay', name: 'renamed' }), revision: 1 });
    expect(put.status).toBe(403);
    expect((await p.call(token, 'GET', '/api/users')).status).toBe(403);
    expect((await p.call(token, 'GET', '/api/me')).body).toMatchObject({ kind: 'user', via: 'token', admin: false, teams: [{ id: 'payments', roles: ['viewer'] }] });
    const row = p.store.sqlite.prepare("SELECT actor, via FROM audit WHERE action = 'token.create'").get();
    expect(row).toEqual({ actor: 'ana', via: 'session' });
  });

  it('never give more than the owner holds now; an admin owner gets the token roles, never admin', async () => {
    const { p, ana, make } = await setup();
    const denied = await make({ roles: ['approver'] });
    expect([denied.status, denied.body.error.message]).toEqual([403, 'a token cannot give more than its owner holds: ana does not hold approver in team "payments"']);
    expect((await make({ roles: ['viewer'], team: 'search' })).status).toBe(403);
    expect((await make({ roles: ['viewer'], userId: ana.id })).status).toBe(403); // userId is for admins

    const editorToken = { bearer: (await make({ roles: ['editor'] })).body.token as string };
    expect((await p.call(editorToken, 'PUT', '/api/flows/pay', { flow: flowDoc({ id: 'pay', name: 'v2' }), revision: 1 })).status).toBe(200);
    // The owner loses the editor role: the token loses it too, at once.
    await p.call(ADMIN, 'PUT', `/api/users/${ana.id}/roles`, { roles: [{ team: 'payments', roles: ['viewer'] }] });
    expect((await p.call(editorToken, 'PUT', '/api/flows/pay', { flow: flowDoc({ id: 'pay', name: 'v3' }), revision: 2 })).status).toBe(403);
    expect((await p.call(editorToken, 'GET', '/api/me')).body.teams).toEqual([]);

    await p.user('boss', { admin: true });
    const boss = await p.session('boss');
    const bossToken = { bearer: (await make({ roles: ['viewer'], team: 'search' }, boss)).body.token as string };
    expect((await p.call(bossToken, 'GET', '/api/flows')).body.items.map((f: any) => f.id)).toEqual(['find']);
    expect((await p.call(bossToken, 'GET', '/api/users')).status).toBe(403);
    expect((await p.call(bossToken, 'POST', '/api/automation/pause')).status).toBe(403);
  });

  it('admins make tokens for service accounts holding the roles; tokens cannot make tokens', async () => {
    const { p, make } = await setup();
    const bot = await p.user('ci-bot', { kind: 'service', password: undefined, roles: [{ team: 'search', roles: ['operator'] }] });
    const missing = await make({ userId: bot.id, team: 'search', roles: ['editor'] }, ADMIN);
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.issues[0].path).toEqual(['roles']);
    const made = await make({ userId: bot.id, team: 'search', roles: ['operator'] }, ADMIN);
    expect(made.status).toBe(201);
    const bot1 = { bearer: made.body.token as string };
    expect((await p.call(bot1, 'GET', '/api/me')).body).toMatchObject({ kind: 'service', teams: [{ id: 'search', roles: ['operator'] }] });
    expect((await p.call(bot1, 'POST', '/api/flows/find/disable')).status).toBe(200);
    expect((await make({ roles: ['operator'], team: 'search' }, bot1)).status).toBe(403);
    // The admin token itself has no account: it names whom the token is for.
    expect((await make({ roles: ['viewer'] }, ADMIN)).body.error.details.issues[0].path).toEqual(['userId']);
  });

  it('expire, are revoked by their owner (or an admin), and record their last use at most once a minute', async () => {
    const { p, make } = await setup();
    const made = await make({ roles: ['viewer'], expiresInDays: 1 });
    const token = { bearer: made.body.token as string };
    // The last use is written after the answer: read once the writes in flight are done.
    const lastUsed = async () => {
      await p.store.idle();
      return (p.store.sqlite.prepare('SELECT last_used_at AS t FROM api_tokens').get() as any).t;
    };
    expect((await p.call(token, 'GET', '/api/flows')).status).toBe(200);
    const first = await lastUsed();
    expect(first).toBe(p.clock.now());
    p.clock.advance(30_000);
    await p.call(token, 'GET', '/api/flows');
    expect(await lastUsed()).toBe(first);
    p.clock.advance(31_000);
    await p.call(token, 'GET', '/api/flows');
    expect(await lastUsed()).toBe(p.clock.now());
    p.clock.advance(DAY);
    expect((await p.call(token, 'GET', '/api/flows')).status).toBe(401);

    // A day later Ana's session has ended too (12 h idle): she signs in again.
    const again = await p.session('ana');
    const other = await make({ roles: ['viewer'] }, again);
    await p.user('bo', { roles: [{ team: 'payments', roles: ['viewer'] }] });
    const bo = await p.session('bo');
    expect((await p.call(bo, 'GET', '/api/tokens')).body.items).toEqual([]);
    expect((await p.call(bo, 'DELETE', `/api/tokens/${other.body.item.id}`)).status).toBe(404);
    expect((await p.call(again, 'GET', '/api/tokens')).body.items).toHaveLength(2);
    expect((await p.call(again, 'DELETE', `/api/tokens/${other.body.item.id}`)).status).toBe(204);
    expect((await p.call({ bearer: other.body.token }, 'GET', '/api/flows')).status).toBe(401);
    const listed = (await p.call(ADMIN, 'GET', '/api/tokens')).body.items.find((t: any) => t.id === other.body.item.id);
    expect(listed.revokedAt).toBe(new Date(p.clock.now()).toISOString());
    expect(p.store.sqlite.prepare("SELECT actor, target FROM audit WHERE action = 'token.revoke'").all()).toEqual([{ actor: 'ana', target: other.body.item.id }]);
  });
});
