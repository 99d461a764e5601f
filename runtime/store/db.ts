import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

/** Finds the committed migrations both from source (vitest) and from dist/ (built server). */
function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'migrations'), join(here, '../../../runtime/store/migrations')];
  const found = candidates.find((c) => existsSync(join(c, 'meta', '_journal.json')));
  if (!found) throw new Error(`migrations folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * drizzle prepares a fresh statement for every query; preparing dominated the ingest profile.
 * Statements are reusable, so keep them by SQL text. drizzle switches reading statements to
 * raw (array) mode when it needs it, so a cached one is handed back in the default mode.
 */
function cachePreparedStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= 500) cache.clear();
      cache.set(source, stmt);
    } else if (stmt.reader) {
      stmt.raw(false);
    }
    return stmt;
  }) as typeof sqlite.prepare;
}

interface PendingWrite {
  fn: (db: Db) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The one SQLite connection and its writer. Every write goes through `write()`, which batches
 * the writes queued during one event-loop turn into one transaction (group commit): one fsync
 * for many requests, with `synchronous=FULL` kept. Each write runs in its own savepoint, so a
 * failing write rolls back alone; all of a batch's promises resolve only after COMMIT returns.
 */
export class SqliteStore {
  readonly sqlite: Database.Database;
  readonly db: Db;
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  /** Commits and writes so far (how well group commit batches; shown in logs and metrics). */
  readonly stats = { commits: 0, writes: 0, commitMs: 0 };

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.sqlite = new Database(file);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = FULL');
    // Short: the writer is in-process, so only an outside tool can hold the lock, and waiting
    // blocks the event loop. Ingest answers 503 + Retry-After instead of waiting long.
    this.sqlite.pragma('busy_timeout = 2000');
    this.sqlite.pragma('foreign_keys = ON');
    // Keep the WAL bounded after checkpoints.
    this.sqlite.pragma('journal_size_limit = 67108864');
    cachePreparedStatements(this.sqlite);
    this.db = drizzle(this.sqlite, { schema });
    migrate(this.db, { migrationsFolder: migrationsFolder() });
  }

  /** Queues `fn` for the next group commit; resolves with its result once durably committed. */
  write<T>(fn: (db: Db) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs `fn` in its own immediate transaction right now (boot, tests, maintenance). */
  writeNow<T>(fn: (db: Db) => T): T {
    return this.sqlite.transaction(() => fn(this.db)).immediate();
  }

  /** Number of writes waiting for the next commit (used for backpressure). */
  get pendingWrites(): number {
    return this.queue.length;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.sqlite.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    for (const w of batch) {
      this.sqlite.exec('SAVEPOINT w');
      try {
        const value = w.fn(this.db);
        this.sqlite.exec('RELEASE w');
        results.push({ ok: true, value });
      } catch (error) {
        this.sqlite.exec('ROLLBACK TO w');
        this.sqlite.exec('RELEASE w');
        results.push({ ok: false, value: error });
      }
    }
    const commitStarted = performance.now();
    try {
      this.sqlite.exec('COMMIT');
      this.stats.commits++;
      this.stats.writes += batch.length;
      this.stats.commitMs += performance.now() - commitStarted;
    } catch (error) {
      try {
        this.sqlite.exec('ROLLBACK');
      } catch {
        // The failed COMMIT may already have rolled back.
      }
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i]!;
      if (r.ok) w.resolve(r.value);
      else w.reject(r.value);
    });
  }

  /** Commits what is queued, then closes the connection. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sqlite.close();
  }
}

/** Opens (creating and migrating if needed) the database at `<dataDir>/salve.db`. */
export function openStore(dataDir: string): SqliteStore {
  return new SqliteStore(join(dataDir, 'salve.db'));
}
