import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import { SqliteStore } from './db.js';
import { flowsRepo } from './flows-repo.js';
import { afterCommit, StoreClosedError } from './group-commit.js';
import type { Logger } from '../log.js';
import { waitFor } from '../../test/kit/wait.js';

const testFlow = (id: string) => FlowSchema.parse({ format: FLOW_FORMAT, id, name: id, enabled: true, nodes: [{ id: 'am', type: 'source.alertmanager' }] });
const count = (store: SqliteStore) => flowsRepo.list(store.db).length;

/** The longest the event loop stalled while `run` was pending (a 10 ms ticker's largest gap). */
async function longestStall<T>(run: Promise<T>): Promise<{ result: PromiseSettledResult<T>; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const [result] = await Promise.allSettled([run]);
  clearInterval(ticker);
  return { result, stallMs: Math.max(stallMs, performance.now() - last) };
}

describe('SqliteStore under storage trouble', () => {
  const dirs: string[] = [];
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-store-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'salve.db'));
    const other = new Database(join(dir, 'salve.db'));
    other.pragma('busy_timeout = 5000');
    return { store, other };
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('gives a request write about a second through an outside lock, then rejects it with SQLITE_BUSY, keeping nothing; the event loop keeps running', async () => {
    const { store, other } = open();
    other.exec('BEGIN EXCLUSIVE');
    const started = performance.now();
    const { result, stallMs } = await longestStall(store.write((db) => flowsRepo.insert(db, testFlow('a'), 1)));
    const waited = performance.now() - started;
    other.exec('ROLLBACK');
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason.code).toMatch(/^SQLITE_BUSY/);
    expect(waited).toBeGreaterThanOrEqual(900);
    // Each attempt waits only the short busy_timeout; the old 2 s wait blocked everything.
    expect(stallMs).toBeLessThan(500);
    expect(count(store)).toBe(0);
    other.close();
    store.close();
  });

  it('says why writes wait (writeState, shown by /healthz): locked while another process holds the lock, ok once they commit', async () => {
    const { store, other } = open();
    expect(store.writeState).toBe('ok');
    other.exec('BEGIN EXCLUSIVE');
    const write = store.writeEventually((db) => flowsRepo.insert(db, testFlow('w'), 1));
    await waitFor(() => store.writeState === 'locked', 5000, 'the writer to report the lock');
    other.exec('COMMIT');
    await write;
    expect(store.writeState).toBe('ok');
    other.close();
    store.close();
  });

  it('retries an eventual write until the lock is gone, commits it once, and never stalls the event loop for long', async () => {
    const { store, other } = open();
    other.exec('BEGIN EXCLUSIVE');
    let runs = 0;
    const write = store.writeEventually((db) => {
      runs++;
      flowsRepo.insert(db, testFlow('kept'), 1);
      return 'done';
    });
    setTimeout(() => other.exec('COMMIT'), 2500); // longer than the old busy_timeout
    const { result, stallMs } = await longestStall(write);
    expect(result).toEqual({ status: 'fulfilled', value: 'done' });
    expect(stallMs).toBeLessThan(500);
    expect(flowsRepo.list(store.db).map((f) => f.id)).toEqual(['kept']);
    expect(runs).toBe(1); // BEGIN failed until then: the function ran only in the attempt that committed
    expect(store.stats.failedAttempts).toBeGreaterThan(1);
    other.close();
    store.close();
  });

  it('retries a batch SQLite rolled back itself (disk full) once there is room, while request writes fail at once', async () => {
    const { store, other } = open();
    other.close();
    store.sqlite.exec('CREATE TABLE scratch (x TEXT)');
    const pages = store.sqlite.pragma('page_count', { simple: true }) as number;
    store.sqlite.pragma(`max_page_count = ${pages + 1}`);
    const insert = store.sqlite.prepare('INSERT INTO scratch VALUES (?)');
    const small = store.writeEventually((db) => flowsRepo.insert(db, testFlow('small'), 1));
    // Many rows in one write: the full disk makes SQLite roll back the whole transaction, so
    // `small`, committed in the same batch, is undone too and must be written again.
    const big = store.writeEventually(() => {
      for (let i = 0; i < 300; i++) insert.run('y'.repeat(1000));
    });
    const request = store.write((db) => flowsRepo.insert(db, testFlow('request'), 1));
    await expect(request).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(store.inTrouble).toBe(true);
    // While the disk is full, a caller waiting on the line is answered at once.
    await expect(store.write((db) => flowsRepo.insert(db, testFlow('later'), 1))).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(count(store)).toBe(0);

    store.sqlite.pragma('max_page_count = 1073741823'); // space freed
    await Promise.all([small, big]);
    expect(flowsRepo.list(store.db).map((f) => f.id)).toEqual(['small']);
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM scratch').get()).toEqual({ n: 300 });
    expect(store.inTrouble).toBe(false);
    await store.write((db) => flowsRepo.insert(db, testFlow('after'), 1));
    expect(count(store)).toBe(2);
    store.close();
  });

  it('does not retry a write that fails on its own (a typed error, a bug)', async () => {
    const { store, other } = open();
    other.close();
    let runs = 0;
    const failing = store.writeEventually(() => {
      runs++;
      throw new ValidationError('bad', []);
    });
    await expect(failing).rejects.toBeInstanceOf(ValidationError);
    expect(runs).toBe(1);
    store.close();
  });

  it('idle() resolves once every queued write has committed, waiting through its retries', async () => {
    const { store, other } = open();
    other.exec('BEGIN EXCLUSIVE');
    void store.writeEventually((db) => flowsRepo.insert(db, testFlow('later'), 1));
    let idle = false;
    const settled = store.idle().then(() => (idle = true));
    await waitFor(() => store.inTrouble, 5000, 'the first attempt to fail on the lock');
    expect(idle).toBe(false);
    other.exec('COMMIT');
    other.close();
    await settled;
    expect(count(store)).toBe(1);
    store.close();
  });

  it('rejects the writes still waiting when it closes', async () => {
    const { store, other } = open();
    other.exec('BEGIN EXCLUSIVE');
    const waiting = store.writeEventually((db) => flowsRepo.insert(db, testFlow('never'), 1));
    await waitFor(() => store.inTrouble, 5000, 'the first attempt to fail on the lock');
    store.close();
    await expect(waiting).rejects.toBeInstanceOf(StoreClosedError);
    other.exec('ROLLBACK');
    other.close();
  });
});

describe('SqliteStore with async write functions', () => {
  const dirs: string[] = [];
  const open = (log?: Logger) => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-store-'));
    dirs.push(dir);
    return new SqliteStore(join(dir, 'salve.db'), log ? { log } : {});
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const ids = (store: SqliteStore) => flowsRepo.list(store.db).map((f) => f.id).sort();

  it('awaits an async write in its batch: it reads what it and the writes before it wrote, and resolves after COMMIT', async () => {
    const store = open();
    const first = store.write((db) => flowsRepo.insert(db, testFlow('a'), 1));
    const second = store.write(async (db) => {
      const before = await Promise.resolve(flowsRepo.list(db).length);
      flowsRepo.insert(db, testFlow('b'), 1);
      return { before, after: await Promise.resolve(flowsRepo.list(db).length) };
    });
    const third = store.write((db) => flowsRepo.insert(db, testFlow('c'), 1));
    expect(await second).toEqual({ before: 1, after: 2 });
    await Promise.all([first, third]);
    expect(store.stats.commits).toBe(1); // one batch, one COMMIT
    expect(ids(store)).toEqual(['a', 'b', 'c']);
    store.close();
  });

  it('rolls back only the async write that rejects; the rest of its batch commits', async () => {
    const store = open();
    const kept = store.write((db) => flowsRepo.insert(db, testFlow('kept'), 1));
    const failing = store.write(async (db) => {
      flowsRepo.insert(db, testFlow('undone'), 1);
      await Promise.resolve();
      throw new ValidationError('refused after a read', []);
    });
    const after = store.write(async (db) => {
      await Promise.resolve();
      flowsRepo.insert(db, testFlow('after'), 1);
    });
    await expect(failing).rejects.toBeInstanceOf(ValidationError);
    await Promise.all([kept, after]);
    expect(ids(store)).toEqual(['after', 'kept']);
    store.close();
  });

  it('runs the writes queued while an async write waits in the next attempt, in order, never inside the open one', async () => {
    const store = open();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const slow = store.write(async (db) => {
      await gate; // not a database wait: the logged case, used here to hold the attempt open
      flowsRepo.insert(db, testFlow('slow'), 1);
      order.push('slow');
    });
    await waitFor(() => store.busy && store.pendingWrites === 0, 5000, 'the first attempt to start');
    const queued = store.write((db) => {
      flowsRepo.insert(db, testFlow('queued'), 1);
      order.push('queued');
    });
    await new Promise((resolve) => setImmediate(resolve)); // a turn in which a flush would have begun a second transaction
    expect(order).toEqual([]);
    release();
    await Promise.all([slow, queued]);
    expect(order).toEqual(['slow', 'queued']);
    expect(store.stats.commits).toBe(2);
    expect(ids(store)).toEqual(['queued', 'slow']);
    await store.idle();
    expect(store.busy).toBe(false);
    store.close();
  });

  it('runs an async write’s afterCommit effects only once it committed, and never when it rolled back', async () => {
    const store = open();
    const seen: string[] = [];
    const good = store.write(async () => {
      await Promise.resolve();
      afterCommit(() => seen.push('good'));
      expect(seen).toEqual([]);
    });
    const bad = store.write(async () => {
      await Promise.resolve();
      afterCommit(() => seen.push('bad'));
      throw new ValidationError('no', []);
    });
    await good;
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toEqual(['good']);
    store.close();
  });

  it('logs an async write that held the write lock while waiting for something other than the database', async () => {
    const errors: string[] = [];
    const log = { error: (_: unknown, msg: string) => errors.push(msg), warn: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;
    const store = open(log);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = performance.now();
    const late = store.write(async (db) => {
      await gate; // released from a timer callback below: the write spans event-loop turns
      flowsRepo.insert(db, testFlow('late'), 1);
    });
    await waitFor(() => performance.now() - started >= 80, 5000, '80 ms to pass with the write waiting');
    release();
    await late;
    expect(ids(store)).toEqual(['late']);
    expect(errors).toEqual(['a database write waited for something other than the database and held the write lock meanwhile (a bug)']);
    await store.write(async (db) => {
      await Promise.resolve(flowsRepo.insert(db, testFlow('quick'), 1));
    });
    expect(errors).toHaveLength(1); // awaiting the database itself is not logged
    store.close();
  });

  it('closing while an async write waits rejects it with StoreClosedError and keeps nothing of its batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-store-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'salve.db'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = store.write((db) => flowsRepo.insert(db, testFlow('first'), 1));
    const waiting = store.write(async (db) => {
      await gate;
      flowsRepo.insert(db, testFlow('never'), 1);
    });
    await waitFor(() => store.pendingWrites === 0, 5000, 'the attempt to start');
    store.close();
    release();
    await expect(waiting).rejects.toBeInstanceOf(StoreClosedError);
    await expect(first).rejects.toBeInstanceOf(StoreClosedError);
    const reopened = new SqliteStore(join(dir, 'salve.db'));
    expect(ids(reopened)).toEqual([]);
    reopened.close();
  });
});
