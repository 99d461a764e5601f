import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import { SqliteStore } from './db.js';
import { flowsRepo } from './flows-repo.js';
import { StoreClosedError } from './group-commit.js';
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
