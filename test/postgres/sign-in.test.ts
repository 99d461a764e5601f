import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiTokenService } from '../../runtime/http/api-tokens.js';
import { FailureLimiter } from '../../runtime/http/rate-limit.js';
import { SessionManager } from '../../runtime/http/sessions.js';
import { userPrincipal } from '../../runtime/http/user-principal.js';
import { postgresAvailable, postgresProcesses } from '../kit/postgres.js';
import { userRow } from '../kit/rows.js';
import { waitFor } from '../kit/wait.js';

/**
 * Signing in on PostgreSQL with several processes behind a load balancer: a session made through
 * one is accepted by every other, signing out or revoking a token on one is refused by all at
 * once, and the failed-credential counts survive a restart.
 */

const log = pino({ level: 'silent' });
const ADMIN_TOKEN = 'the-admin-token-0123456789';
const T0 = Date.parse('2026-11-24T00:00:00Z');

describe.runIf(postgresAvailable)('sign-in shared by several processes on PostgreSQL', () => {
  const processes = postgresProcesses();

  const clock = { t: T0 };
  const now = () => clock.t;

  /** One process: its Store, and the sign-in services the app builds over it. */
  const openProcess = async (url: string) => {
    const { store } = await processes.open(url);
    return { store, sessions: new SessionManager(store, ADMIN_TOKEN, now, log), tokens: new ApiTokenService(store, now, log) };
  };

  const setup = async () => {
    clock.t = T0;
    const database = await processes.database();
    const a = await openProcess(database.url);
    const b = await openProcess(database.url);
    await a.store.write(async (tx) => {
      await tx.people.insertTeam({ id: 'ops', name: 'Ops', createdAt: T0 });
      await tx.people.insertUser(userRow(T0, 'u1', 'ana', { displayName: 'Ana' }));
      await tx.people.replaceMemberships('u1', 'manual', [{ teamId: 'ops', role: 'viewer' }]);
    });
    return { url: database.url, a, b };
  };

  it('a session made through one process is accepted by the other, its use recorded; signed out on one, it is refused by both', async () => {
    const { a, b } = await setup();
    const ana = { name: 'ana', via: 'session' as const, address: '192.0.2.1', identity: 'user:u1' };
    const made = await a.sessions.create(ana, { userId: 'u1', userAgent: 'Firefox' });
    expect((await b.sessions.resolve(made.cookieValue))?.id).toBe(made.id);
    expect((await a.store.read((tx) => tx.people.user('u1')))?.lastSignInAt).toBe(T0);

    clock.t += 5 * 60_000;
    expect((await b.sessions.resolve(made.cookieValue))?.id).toBe(made.id);
    // The use is written after the answer; the other process sees it once it commits.
    await waitFor(async () => (await a.sessions.listForUser('u1'))[0]?.lastUsedAt === clock.t);

    const admin = await b.sessions.create({ name: 'admin', via: 'session' });
    expect((await a.sessions.resolve(admin.cookieValue))?.userId).toBeNull();

    expect(await b.sessions.destroy(made.cookieValue, ana)).toBe(made.id);
    expect(await a.sessions.resolve(made.cookieValue)).toBeUndefined();
    expect(await b.sessions.resolve(made.cookieValue)).toBeUndefined();
    expect((await a.sessions.resolve(admin.cookieValue))?.id).toBe(admin.id);
  });

  it('a session that ended is refused by every process and deleted after the answer', async () => {
    const { a, b } = await setup();
    const made = await a.sessions.create({ name: 'ana', via: 'session' }, { userId: 'u1' });
    clock.t += 13 * 3600_000; // idle longer than 12 h
    expect(await b.sessions.resolve(made.cookieValue)).toBeUndefined();
    await waitFor(async () => (await a.store.read((tx) => tx.sessions.byId(made.id))) === undefined);
    expect(await a.sessions.resolve(made.cookieValue)).toBeUndefined();
  });

  it('an API token made through one process works on the other; revoked on one, it is refused by both at once', async () => {
    const { a, b } = await setup();
    const caller = (await a.store.read((tx) => userPrincipal(tx, 'u1', 'session')))!.principal;
    const actor = { name: 'ana', via: 'session' as const, identity: 'user:u1' };
    const { token, item } = await a.tokens.create(caller, { name: 'cli', team: 'ops', roles: ['viewer'], expiresInDays: 30 }, actor);

    const found = await b.tokens.resolve(token);
    expect(found?.actorName).toBe('ana');
    expect([...(found?.principal.teamRoles.get('ops') ?? [])]).toEqual(['viewer']);
    await waitFor(async () => (await a.tokens.list(caller))[0]?.lastUsedAt === new Date(T0).toISOString());

    await b.tokens.revoke(caller, item.id, actor);
    expect(await a.tokens.resolve(token)).toBeUndefined();
    expect(await b.tokens.resolve(token)).toBeUndefined();
    expect((await a.tokens.list(caller))[0]?.revokedAt).toBe(new Date(T0).toISOString());
  });

  it('failed-credential counts survive a restart (a new process), and ended windows are swept at start', async () => {
    const { url, a } = await setup();
    const limiter = new FailureLimiter({ max: 2, windowMs: 60_000, now, persist: { store: a.store, kind: 'admin-token', log } });
    await limiter.ready;
    await limiter.fail('192.0.2.1');
    await limiter.fail('192.0.2.1');
    await limiter.fail('192.0.2.2');
    expect(limiter.retryAfterSeconds('192.0.2.1')).toBe(60);

    clock.t += 20_000;
    const restarted = await openProcess(url);
    const again = new FailureLimiter({ max: 2, windowMs: 60_000, now, persist: { store: restarted.store, kind: 'admin-token', log } });
    await again.ready;
    expect(again.retryAfterSeconds('192.0.2.1')).toBe(40);
    expect(again.retryAfterSeconds('192.0.2.2')).toBe(0);
    await again.fail('192.0.2.2'); // its second failure: the one before the restart counts
    expect(again.retryAfterSeconds('192.0.2.2')).toBe(40);

    clock.t += 60_000;
    await new FailureLimiter({ max: 2, windowMs: 60_000, now, persist: { store: restarted.store, kind: 'admin-token', log } }).ready;
    await waitFor(async () => (await restarted.store.read((tx) => tx.authFailures.live('admin-token:', 0, 10))).length === 0);
  });

  it('failures seen by different processes add up: a guesser going round three processes gets max + 2 tries, not 3 × max', async () => {
    const { url, a, b } = await setup();
    const c = await openProcess(url);
    const MAX = 5;
    const limiters = await Promise.all(
      [a, b, c].map(async (p) => {
        const limiter = new FailureLimiter({ max: MAX, windowMs: 60_000, now, persist: { store: p.store, kind: 'password', log } });
        await limiter.ready;
        return limiter;
      }),
    );
    // One guess after another, round robin, as a load balancer hands them out: each wrong.
    let tried = 0;
    for (let i = 0; i < 3 * MAX; i++) {
      const limiter = limiters[i % 3]!;
      if (limiter.retryAfterSeconds('192.0.2.66') > 0) continue;
      tried++;
      await limiter.fail('192.0.2.66');
    }
    // Counted alone, each process would have let MAX through (15); each learns the shared count at its own failure.
    expect(tried).toBe(MAX + 2);
    for (const limiter of limiters) expect(limiter.retryAfterSeconds('192.0.2.66')).toBe(60);
    expect(await a.store.read((tx) => tx.authFailures.live('password:', T0, 10))).toEqual([{ key: 'password:192.0.2.66', failures: MAX + 2, windowEndsAt: T0 + 60_000 }]);
    // Another address has its own budget.
    expect(limiters[1]!.retryAfterSeconds('192.0.2.67')).toBe(0);
  });
});
