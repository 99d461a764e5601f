import { describe, expect, it } from 'vitest';
import type { ApiTokenRow } from '../../runtime/store/api-tokens-repo.js';
import type { SessionRow } from '../../runtime/store/sessions-repo.js';
import { apiTokenRow, sessionRow, userRow } from '../kit/rows.js';
import { storeEngines } from '../kit/store-engines.js';

/**
 * The store contract of sign-in: sessions, API tokens, the failed-credential counters, and the
 * people reads authentication needs give the same answers on SQLite and PostgreSQL (several
 * processes behind a load balancer: a session made on one is found by another).
 */

const engines = storeEngines();

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;

/** A user's session (every column given), made at T0 unless told. */
const session = (id: string, over: Partial<SessionRow> = {}): SessionRow =>
  sessionRow(T0, id, 'u1', { expiresAt: T0 + 7 * 24 * 60 * MINUTE, address: '192.0.2.1', userAgent: 'Firefox', ...over });

/** An API token of u1 in team ops (every column given), made at T0 unless told. */
const token = (id: string, over: Partial<ApiTokenRow> = {}): ApiTokenRow => apiTokenRow(T0, id, 'u1', { expiresAt: T0 + 30 * 24 * 60 * MINUTE, ...over });

describe.each(engines)('store contract (sign-in) on $name', ({ available: runIf, open }) => {
  it.runIf(runIf)('people: userByUsername finds a user by the username as stored (exactly); undefined for another', async () => {
    const e = await open();
    const ana = userRow(T0, 'u1', 'ana', { email: 'ana@example.org', passwordHash: 'scrypt$x', lastSignInAt: T0 + 5 });
    await e.seed({ users: [ana, userRow(T0, 'u2', 'bob')] });
    expect(await e.run((tx) => tx.people.userByUsername('ana'))).toEqual(ana);
    expect((await e.run((tx) => tx.people.userByUsername('bob')))?.id).toBe('u2');
    expect(await e.run((tx) => tx.people.userByUsername('Ana'))).toBeUndefined();
    expect(await e.run((tx) => tx.people.userByUsername('carol'))).toBeUndefined();
  });

  it.runIf(runIf)('people: hasEnabledAdmin is true only while an admin account is enabled', async () => {
    const e = await open();
    expect(await e.run((tx) => tx.people.hasEnabledAdmin())).toBe(false);
    await e.seed({ users: [userRow(T0, 'u1', 'ana'), userRow(T0, 'u2', 'root', { admin: true, disabled: true })] });
    expect(await e.run((tx) => tx.people.hasEnabledAdmin())).toBe(false);
    await e.seed({ users: [userRow(T0, 'u3', 'boss', { admin: true })] });
    expect(await e.run((tx) => tx.people.hasEnabledAdmin())).toBe(true);
  });

  it.runIf(runIf)('sessions: inserted whole, found by token hash and by id; undefined for unknown ones', async () => {
    const e = await open();
    const mine = session('se1');
    const admin = session('se2', { userId: null, adminTokenFingerprint: 'fp', address: null, userAgent: null });
    await e.run(async (tx) => {
      await tx.sessions.insert(mine);
      await tx.sessions.insert(admin);
    });
    expect(await e.run((tx) => tx.sessions.byTokenHash('hash-se1'))).toEqual(mine);
    expect(await e.run((tx) => tx.sessions.byTokenHash('hash-se2'))).toEqual(admin);
    expect(await e.run((tx) => tx.sessions.byId('se2'))).toEqual(admin);
    expect(await e.run((tx) => tx.sessions.byTokenHash('hash-se3'))).toBeUndefined();
    expect(await e.run((tx) => tx.sessions.byTokenHash('se1'))).toBeUndefined(); // an id is not a hash
    expect(await e.run((tx) => tx.sessions.byId('se3'))).toBeUndefined();
  });

  it.runIf(runIf)('sessions: forUser lists the user\'s sessions, usable or not, newest first, those of one millisecond by id (descending, as bytes)', async () => {
    const e = await open();
    await e.run(async (tx) => {
      // Inserted in an order that is not the answer's.
      await tx.sessions.insert(session('se-a', { createdAt: T0 + 10 }));
      await tx.sessions.insert(session('se-old', { createdAt: T0, expiresAt: T0 + 1 }));
      await tx.sessions.insert(session('seb', { createdAt: T0 + 10 }));
      await tx.sessions.insert(session('se-c', { createdAt: T0 + 10 }));
      await tx.sessions.insert(session('se-new', { createdAt: T0 + 20 }));
      await tx.sessions.insert(session('se-bob', { createdAt: T0 + 30, userId: 'u2' }));
      await tx.sessions.insert(session('se-admin', { createdAt: T0 + 30, userId: null, adminTokenFingerprint: 'fp' }));
    });
    expect((await e.run((tx) => tx.sessions.forUser('u1'))).map((s) => s.id)).toEqual(['se-new', 'seb', 'se-c', 'se-a', 'se-old']);
    expect(await e.run((tx) => tx.sessions.forUser('u2'))).toEqual([session('se-bob', { createdAt: T0 + 30, userId: 'u2' })]);
    expect(await e.run((tx) => tx.sessions.forUser('u3'))).toEqual([]);
  });

  it.runIf(runIf)('sessions: touch sets the last use of that session only; delete removes it once (true), then answers false', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.sessions.insert(session('se1'));
      await tx.sessions.insert(session('se2'));
    });
    await e.run((tx) => tx.sessions.touch('se1', T0 + MINUTE));
    expect(await e.run((tx) => tx.sessions.byId('se1'))).toEqual(session('se1', { lastUsedAt: T0 + MINUTE }));
    expect(await e.run((tx) => tx.sessions.byId('se2'))).toEqual(session('se2'));
    await e.run((tx) => tx.sessions.touch('se9', T0 + MINUTE)); // unknown: nothing to do

    expect(await e.run((tx) => tx.sessions.delete('se1'))).toBe(true);
    expect(await e.run((tx) => tx.sessions.delete('se1'))).toBe(false);
    expect(await e.run((tx) => tx.sessions.byId('se1'))).toBeUndefined();
    expect(await e.run((tx) => tx.sessions.byId('se2'))).toEqual(session('se2'));
  });

  it.runIf(runIf)('sessions: deleteUnusable deletes those ended at now, idle since idleBefore (inclusive), and admin-token sessions of another fingerprint; how many', async () => {
    const e = await open();
    const now = T0 + 100 * MINUTE;
    const idleBefore = now - 60 * MINUTE;
    const kept = [
      session('se-fresh', { lastUsedAt: now - MINUTE }),
      session('se-almost-ended', { expiresAt: now + 1, lastUsedAt: now - MINUTE }),
      session('se-almost-idle', { lastUsedAt: idleBefore + 1 }),
      // A user's session has no fingerprint of its own: a new admin token leaves it alone.
      session('se-user-other-fp', { adminTokenFingerprint: 'old-fp', lastUsedAt: now - MINUTE }),
      session('se-admin-same-fp', { userId: null, adminTokenFingerprint: 'fp', lastUsedAt: now - MINUTE }),
    ];
    const gone = [
      session('se-ended', { expiresAt: now, lastUsedAt: now - MINUTE }),
      session('se-idle', { lastUsedAt: idleBefore }),
      session('se-admin-other-fp', { userId: null, adminTokenFingerprint: 'old-fp', lastUsedAt: now - MINUTE }),
    ];
    await e.run(async (tx) => {
      for (const s of [...kept, ...gone]) await tx.sessions.insert(s);
    });
    expect(await e.run((tx) => tx.sessions.deleteUnusable({ now, idleBefore, adminTokenFingerprint: 'fp' }))).toBe(3);
    for (const s of kept) expect(await e.run((tx) => tx.sessions.byId(s.id))).toEqual(s);
    for (const s of gone) expect(await e.run((tx) => tx.sessions.byId(s.id))).toBeUndefined();
    expect(await e.run((tx) => tx.sessions.deleteUnusable({ now, idleBefore, adminTokenFingerprint: 'fp' }))).toBe(0);
  });

  it.runIf(runIf)('apiTokens: inserted whole, found by hash and by id; undefined for unknown ones', async () => {
    const e = await open();
    const tk = token('tk1', { roles: '["viewer","operator"]', lastUsedAt: T0 + 1 });
    await e.run((tx) => tx.apiTokens.insert(tk));
    expect(await e.run((tx) => tx.apiTokens.byHash('hash-tk1'))).toEqual(tk);
    expect(await e.run((tx) => tx.apiTokens.byId('tk1'))).toEqual(tk);
    expect(await e.run((tx) => tx.apiTokens.byHash('hash-tk2'))).toBeUndefined();
    expect(await e.run((tx) => tx.apiTokens.byHash('tk1'))).toBeUndefined();
    expect(await e.run((tx) => tx.apiTokens.byId('tk2'))).toBeUndefined();
  });

  it.runIf(runIf)('apiTokens: list gives everyone\'s (or one user\'s) tokens, revoked and expired too, newest first, those of one millisecond by id (descending, as bytes)', async () => {
    const e = await open();
    const rows = [
      token('tk-a', { createdAt: T0 + 10 }),
      token('tk-old', { createdAt: T0, revokedAt: T0 + 1 }),
      token('tkb', { createdAt: T0 + 10, userId: 'u2' }),
      token('tk-c', { createdAt: T0 + 10, expiresAt: T0 + 11 }),
      token('tk-new', { createdAt: T0 + 20, userId: 'u2' }),
    ];
    await e.run(async (tx) => {
      for (const r of rows) await tx.apiTokens.insert(r);
    });
    expect((await e.run((tx) => tx.apiTokens.list())).map((t) => t.id)).toEqual(['tk-new', 'tkb', 'tk-c', 'tk-a', 'tk-old']);
    expect((await e.run((tx) => tx.apiTokens.list('u1'))).map((t) => t.id)).toEqual(['tk-c', 'tk-a', 'tk-old']);
    expect(await e.run((tx) => tx.apiTokens.list('u2'))).toEqual([rows[4], rows[2]]);
    expect(await e.run((tx) => tx.apiTokens.list('u3'))).toEqual([]);
  });

  it.runIf(runIf)('apiTokens: revoke sets the time once (true), then answers false and keeps it; false for an unknown token', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.apiTokens.insert(token('tk1'));
      await tx.apiTokens.insert(token('tk2'));
    });
    expect(await e.run((tx) => tx.apiTokens.revoke('tk1', T0 + 5))).toBe(true);
    expect(await e.run((tx) => tx.apiTokens.revoke('tk1', T0 + 9))).toBe(false);
    expect(await e.run((tx) => tx.apiTokens.revoke('tk9', T0 + 9))).toBe(false);
    expect(await e.run((tx) => tx.apiTokens.byId('tk1'))).toEqual(token('tk1', { revokedAt: T0 + 5 }));
    expect(await e.run((tx) => tx.apiTokens.byId('tk2'))).toEqual(token('tk2'));
  });

  it.runIf(runIf)('apiTokens: revokeForTeam revokes the team\'s tokens not yet revoked, and counts them; earlier revocations and other teams are left alone', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.apiTokens.insert(token('tk1'));
      await tx.apiTokens.insert(token('tk2', { userId: 'u2' }));
      await tx.apiTokens.insert(token('tk3', { revokedAt: T0 + 1 }));
      await tx.apiTokens.insert(token('tk4', { teamId: 'web' }));
    });
    expect(await e.run((tx) => tx.apiTokens.revokeForTeam('ops', T0 + 5))).toBe(2);
    expect((await e.run((tx) => tx.apiTokens.list())).map((t) => [t.id, t.revokedAt])).toEqual([
      ['tk4', null],
      ['tk3', T0 + 1],
      ['tk2', T0 + 5],
      ['tk1', T0 + 5],
    ]);
    expect(await e.run((tx) => tx.apiTokens.revokeForTeam('ops', T0 + 9))).toBe(0);
    expect(await e.run((tx) => tx.apiTokens.revokeForTeam('none', T0 + 9))).toBe(0);
  });

  it.runIf(runIf)('apiTokens: touch sets the last use of that token only', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.apiTokens.insert(token('tk1'));
      await tx.apiTokens.insert(token('tk2'));
    });
    await e.run((tx) => tx.apiTokens.touch('tk1', T0 + MINUTE));
    await e.run((tx) => tx.apiTokens.touch('tk9', T0 + MINUTE));
    expect(await e.run((tx) => tx.apiTokens.byId('tk1'))).toEqual(token('tk1', { lastUsedAt: T0 + MINUTE }));
    expect(await e.run((tx) => tx.apiTokens.byId('tk2'))).toEqual(token('tk2'));
  });

  it.runIf(runIf)('authFailures: save inserts a window, then replaces its count and end; live reads it back', async () => {
    const e = await open();
    await e.run((tx) => tx.authFailures.save({ key: 'password:192.0.2.1', failures: 1, windowEndsAt: T0 + MINUTE }));
    expect(await e.run((tx) => tx.authFailures.live('password:', T0, 10))).toEqual([{ key: 'password:192.0.2.1', failures: 1, windowEndsAt: T0 + MINUTE }]);
    await e.run((tx) => tx.authFailures.save({ key: 'password:192.0.2.1', failures: 4, windowEndsAt: T0 + 2 * MINUTE }));
    expect(await e.run((tx) => tx.authFailures.live('password:', T0, 10))).toEqual([{ key: 'password:192.0.2.1', failures: 4, windowEndsAt: T0 + 2 * MINUTE }]);
  });

  it.runIf(runIf)('authFailures: count starts a window at the first failure, adds one per failure within it (keeping its end), and starts afresh once it ended', async () => {
    const e = await open();
    const count = (key: string, now: number) => e.run((tx) => tx.authFailures.count(key, now, MINUTE));
    expect(await count('password:192.0.2.1', T0)).toEqual({ key: 'password:192.0.2.1', failures: 1, windowEndsAt: T0 + MINUTE });
    expect(await count('password:192.0.2.1', T0 + 10)).toEqual({ key: 'password:192.0.2.1', failures: 2, windowEndsAt: T0 + MINUTE });
    expect(await count('password:192.0.2.2', T0 + 10)).toEqual({ key: 'password:192.0.2.2', failures: 1, windowEndsAt: T0 + 10 + MINUTE });
    expect(await count('password:192.0.2.1', T0 + MINUTE - 1)).toEqual({ key: 'password:192.0.2.1', failures: 3, windowEndsAt: T0 + MINUTE });
    // The window ends at T0 + MINUTE: a failure then opens a new one.
    expect(await count('password:192.0.2.1', T0 + MINUTE)).toEqual({ key: 'password:192.0.2.1', failures: 1, windowEndsAt: T0 + 2 * MINUTE });
    expect(await e.run((tx) => tx.authFailures.live('password:', T0 + MINUTE, 10))).toEqual([
      { key: 'password:192.0.2.1', failures: 1, windowEndsAt: T0 + 2 * MINUTE },
      { key: 'password:192.0.2.2', failures: 1, windowEndsAt: T0 + 10 + MINUTE },
    ]);
  });

  it.runIf(runIf)('authFailures: failures counted at once (processes on one database) all add up: none is lost', async () => {
    const e = await open();
    const counts = await Promise.all(Array.from({ length: 20 }, () => e.run((tx) => tx.authFailures.count('admin-token:192.0.2.9', T0, MINUTE))));
    expect(counts.map((c) => c.failures).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await e.run((tx) => tx.authFailures.live('admin-token:', T0, 10))).toEqual([{ key: 'admin-token:192.0.2.9', failures: 20, windowEndsAt: T0 + MINUTE }]);
  });

  it.runIf(runIf)('authFailures: live gives the windows of the prefix (literally: no wildcards) open after now, the latest-ending first, then by key, at most limit', async () => {
    const e = await open();
    const rows = [
      { key: 'admin-token:b', failures: 1, windowEndsAt: T0 + 30 },
      { key: 'admin-token:a', failures: 2, windowEndsAt: T0 + 30 },
      { key: 'admin-token:c', failures: 3, windowEndsAt: T0 + 50 },
      { key: 'admin-token:ended', failures: 9, windowEndsAt: T0 }, // ends at now: not live
      { key: 'admin-token:d', failures: 4, windowEndsAt: T0 + 10 },
      { key: 'admin-tokens:x', failures: 5, windowEndsAt: T0 + 60 }, // another kind
      { key: 'password:a', failures: 6, windowEndsAt: T0 + 60 },
      { key: 'a_b:1', failures: 7, windowEndsAt: T0 + 60 },
      { key: 'axb:1', failures: 8, windowEndsAt: T0 + 60 }, // 'a_b:' as a LIKE pattern would match it
      { key: 'a%:1', failures: 9, windowEndsAt: T0 + 60 },
      { key: 'ab:1', failures: 10, windowEndsAt: T0 + 60 }, // 'a%:' as a LIKE pattern would match it
    ];
    await e.run(async (tx) => {
      for (const r of rows) await tx.authFailures.save(r);
    });
    const keys = async (prefix: string, limit = 10) => (await e.run((tx) => tx.authFailures.live(prefix, T0, limit))).map((r) => r.key);
    expect(await keys('admin-token:')).toEqual(['admin-token:c', 'admin-token:a', 'admin-token:b', 'admin-token:d']);
    expect(await keys('admin-token:', 2)).toEqual(['admin-token:c', 'admin-token:a']);
    expect(await keys('a_b:')).toEqual(['a_b:1']);
    expect(await keys('a%:')).toEqual(['a%:1']);
    expect(await keys('nothing:')).toEqual([]);
    expect(await e.run((tx) => tx.authFailures.live('password:', T0, 10))).toEqual([rows[6]]);
  });

  it.runIf(runIf)('authFailures: delete forgets one key; deleteEnded deletes the windows ended at or before now and counts them', async () => {
    const e = await open();
    await e.run(async (tx) => {
      await tx.authFailures.save({ key: 'k:1', failures: 1, windowEndsAt: T0 - 1 });
      await tx.authFailures.save({ key: 'k:2', failures: 1, windowEndsAt: T0 });
      await tx.authFailures.save({ key: 'k:3', failures: 1, windowEndsAt: T0 + 1 });
      await tx.authFailures.save({ key: 'k:4', failures: 1, windowEndsAt: T0 + 2 });
    });
    await e.run((tx) => tx.authFailures.delete('k:4'));
    await e.run((tx) => tx.authFailures.delete('k:9'));
    expect((await e.run((tx) => tx.authFailures.live('k:', T0 - 10, 10))).map((r) => r.key)).toEqual(['k:3', 'k:2', 'k:1']);
    expect(await e.run((tx) => tx.authFailures.deleteEnded(T0))).toBe(2);
    expect((await e.run((tx) => tx.authFailures.live('k:', T0 - 10, 10))).map((r) => r.key)).toEqual(['k:3']);
    expect(await e.run((tx) => tx.authFailures.deleteEnded(T0))).toBe(0);
  });
});
