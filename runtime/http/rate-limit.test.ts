import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/db.js';
import { sqliteStore } from '../store/store.js';
import { FailureLimiter } from './rate-limit.js';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'salve-limiter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FailureLimiter', () => {
  it('refuses a key after max failures until its window (from the first failure) ends', async () => {
    let t = 1_000_000;
    const limiter = new FailureLimiter({ max: 3, windowMs: 10_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('a')).toBe(0);
      await limiter.fail('a');
      t += 1000;
    }
    expect(limiter.retryAfterSeconds('a')).toBe(7);
    expect(limiter.retryAfterSeconds('b')).toBe(0);
    t += 7000;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    await limiter.fail('a'); // a new window
    expect(limiter.retryAfterSeconds('a')).toBe(0);
  });

  it('resumes its counts from the database after a restart (a new store on the same file)', async () => {
    const file = join(dir, 'restart.db');
    let t = 5_000_000;
    const first = new SqliteStore(file);
    const before = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(first), kind: 'test', log } });
    for (let i = 0; i < 3; i++) await before.fail('192.0.2.1');
    await before.fail('192.0.2.2');
    first.close();

    t += 15_000;
    const second = new SqliteStore(file);
    const after = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(second), kind: 'test', log } });
    await after.ready;
    expect(after.retryAfterSeconds('192.0.2.1')).toBe(45);
    await after.fail('192.0.2.2');
    await after.fail('192.0.2.2');
    expect(after.retryAfterSeconds('192.0.2.2')).toBe(45); // 1 before the restart + 2 after
    // Another kind in the same table is another limiter's business.
    const other = new FailureLimiter({ max: 1, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(second), kind: 'other', log } });
    await other.ready;
    expect(other.retryAfterSeconds('192.0.2.1')).toBe(0);

    await after.reset('192.0.2.1');
    t += 60_000; // every window has ended: they are deleted at the next start
    second.close();
    const third = new SqliteStore(file);
    await new FailureLimiter({ max: 3, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(third), kind: 'test', log } }).ready;
    await third.write(() => undefined); // after the sweep the start queued
    expect(third.sqlite.prepare('SELECT count(*) AS n FROM auth_failures').get()).toEqual({ n: 0 });
    third.close();
  });

  it('keeps counting in memory when the database cannot be written, and says so', async () => {
    const store = new SqliteStore(':memory:');
    const lines: string[] = [];
    const warnLog = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const limiter = new FailureLimiter({ max: 2, windowMs: 60_000, persist: { store: sqliteStore(store), kind: 'test', log: warnLog } });
    await limiter.ready;
    store.close();
    await limiter.fail('a');
    await limiter.fail('a');
    expect(limiter.retryAfterSeconds('a')).toBe(60);
    expect(lines.join('')).toContain('could not save a failed-authentication count');
  });

  it('starts counting afresh when the saved counts cannot be read, and says so', async () => {
    const store = new SqliteStore(':memory:');
    store.close();
    const lines: string[] = [];
    const warnLog = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const limiter = new FailureLimiter({ max: 1, windowMs: 60_000, persist: { store: sqliteStore(store), kind: 'test', log: warnLog } });
    await limiter.ready;
    expect(lines.join('')).toContain('could not read the saved failed-authentication counts');
    await limiter.fail('a');
    expect(limiter.retryAfterSeconds('a')).toBe(60);
  });

  it('counts a failure made while the saved counts are being read on top of them', async () => {
    const file = join(dir, 'loading.db');
    const t = 9_000_000;
    const first = new SqliteStore(file);
    const before = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(first), kind: 'test', log } });
    await before.fail('192.0.2.1');
    await before.fail('192.0.2.1');
    first.close();
    const second = new SqliteStore(file);
    const after = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => t, persist: { store: sqliteStore(second), kind: 'test', log } });
    await after.fail('192.0.2.1'); // not awaiting `ready` first
    expect(after.retryAfterSeconds('192.0.2.1')).toBe(60);
    second.close();
  });

  it('bounds the keys it remembers', async () => {
    let t = 0;
    const limiter = new FailureLimiter({ max: 1, windowMs: 1000, now: () => t, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) await limiter.fail(key);
    t += 1000; // a, b, c have ended: swept to make room
    await limiter.fail('d');
    expect(limiter.retryAfterSeconds('d')).toBe(1);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
