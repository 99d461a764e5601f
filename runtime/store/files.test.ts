import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOW_FORMAT, FlowSchema } from '../../shared/flow/schema.js';
import { SqliteStore } from './db.js';
import { flowsRepo } from './flows-repo.js';
import { UnusableDatabaseError } from './open-errors.js';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('database files', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-files-'));
    chmodSync(dir, 0o755); // a data directory that already exists, readable by others
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates salve.db, -wal and -shm as 0600 in an existing directory, even with a permissive umask', async () => {
    const dir = dataDir();
    const file = join(dir, 'salve.db');
    const umask = process.umask(0o000);
    try {
      const store = new SqliteStore(file);
      await store.write((db) => flowsRepo.insert(db, FlowSchema.parse({ format: FLOW_FORMAT, id: 'f', name: 'f', nodes: [{ id: 'am', type: 'source.alertmanager' }] }), 1));
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['600', '600', '600']);
      store.close();
    } finally {
      process.umask(umask);
    }
  });

  it('narrows existing database files left readable (an older Salve, a restore) to 0600', () => {
    const dir = dataDir();
    const file = join(dir, 'salve.db');
    const umask = process.umask(0o000);
    try {
      // Written as an older Salve did: created by SQLite with the umask's mode, WAL files kept.
      const old = new Database(file);
      old.pragma('journal_mode = WAL');
      old.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      const keep = new Database(file); // a second connection keeps -wal and -shm after `old` closes
      keep.prepare('SELECT x FROM t').get();
      old.close();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
      const store = new SqliteStore(file);
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['600', '600', '600']);
      store.close();
      keep.close();
    } finally {
      process.umask(umask);
    }
  });

  it('names the file and says what to do when it is not a SQLite database', () => {
    const dir = dataDir();
    const file = join(dir, 'salve.db');
    writeFileSync(file, 'this is not a database, just some text that someone copied here by mistake'.repeat(100));
    let error: unknown;
    try {
      new SqliteStore(file).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnusableDatabaseError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toMatch(/is not a SQLite database or is corrupt/);
    expect(message).toMatch(/restore .* from your backup/);
    expect(message).toMatch(/move salve\.db, salve\.db-wal and salve\.db-shm out of/);
  });
});
