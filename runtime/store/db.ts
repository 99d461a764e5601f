import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { sealLegacyAuditRows } from './audit-chain.js';
import { ensurePrivateDatabaseFiles } from './files.js';
import { GroupCommit, type TxPosition } from './group-commit.js';
import { explainOpenError } from './open-errors.js';
import * as schema from './schema.js';
import { findMigrationsFolder, knownMigrations, type KnownMigration, usableSchemaState } from './schema-version.js';

export type Db = BetterSQLite3Database<typeof schema>;

/** Finds the committed migrations both from source (vitest) and from dist/ (built server). */
export function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return findMigrationsFolder([join(here, 'migrations'), join(here, '../../../runtime/store/migrations')], 'migrations folder');
}

/**
 * Opens the database at `file` read-only, without migrating or writing anything (doctor, migrate
 * --check, copy: safe beside a running server); an unusable file becomes an error that says what to do.
 */
export function openReadOnly(file: string): Database.Database {
  try {
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    return sqlite;
  } catch (error) {
    throw explainOpenError(file, error);
  }
}

/** How long a write waits for a lock held by another process before the attempt gives up (and is retried later). */
const BUSY_TIMEOUT_MS = 20;
/** At boot (migrations, crash recovery) nothing else waits on the event loop: wait longer. */
const BOOT_BUSY_TIMEOUT_MS = 5000;

export interface StoreOptions {
  /** Where persistent storage trouble (a lock held for long, a full disk) is reported. */
  log?: Logger;
  /**
   * Apply this build's pending migrations (default). `false` for the commands that work beside a
   * running server (`salve users`, `salve secrets`): a newer CLI must not change the schema under
   * an older server, so they refuse an out-of-date database instead (SchemaBehindError).
   */
  applyMigrations?: boolean;
}

/**
 * The one SQLite connection and its writer (group-commit.ts). Two kinds of writes:
 * - `write(fn)`: for a caller waiting on the line (webhook, API). Waits through a lock held by
 *   another process for about a second, then rejects with the SQLite error (503 + Retry-After).
 * - `writeEventually(fn)`: for the engine's own state (a step's outcome, claims, timers). Retried
 *   with backoff until it commits or the store closes; rejects only on errors that do not pass
 *   by themselves (corruption, a bug).
 * The event loop is never blocked for long: each attempt waits at most BUSY_TIMEOUT_MS.
 */
export class SqliteStore {
  readonly sqlite: Database.Database;
  readonly db: Db;
  readonly file: string;
  /** The migrations this open applied, oldest first (empty when the schema was up to date). */
  readonly migrationsApplied: readonly KnownMigration[];
  private readonly writer: GroupCommit<Db>;

  constructor(file: string, options: StoreOptions = {}) {
    this.file = file;
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      ensurePrivateDatabaseFiles(file);
    }
    this.sqlite = new Database(file);
    try {
      this.sqlite.pragma(`busy_timeout = ${BOOT_BUSY_TIMEOUT_MS}`);
      this.sqlite.pragma('journal_mode = WAL');
      this.sqlite.pragma('synchronous = FULL');
      this.sqlite.pragma('foreign_keys = ON');
      // Keep the WAL bounded after checkpoints.
      this.sqlite.pragma('journal_size_limit = 67108864');
      this.db = drizzle(this.sqlite, { schema });
      const folder = migrationsFolder();
      const known = knownMigrations(folder);
      const state = usableSchemaState(file, this.sqlite, known, options.applyMigrations === false);
      migrate(this.db, { migrationsFolder: folder });
      this.migrationsApplied = state.pending;
      // Once, after the upgrade that added the hash chain: chain the rows written before it.
      sealLegacyAuditRows(this.sqlite);
      // Short from here on: the writer is in-process, so only an outside tool can hold the lock,
      // and waiting would block the event loop. Writes retry asynchronously instead.
      this.sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      this.sqlite.close();
      throw explainOpenError(file, error);
    }
    this.writer = new GroupCommit(this.sqlite, this.db, options.log);
  }

  /** Commits and writes so far (how well group commit batches; shown in logs and metrics). */
  get stats(): GroupCommit<Db>['stats'] {
    return this.writer.stats;
  }

  /**
   * Queues `fn` for the next group commit; resolves once durably committed. Gives up after ~1 s of a lock.
   * `fn` may be async, awaiting only this database (see GroupCommit: the transaction stays open meanwhile).
   */
  write<T>(fn: (db: Db) => T | Promise<T>): Promise<T> {
    return this.writer.enqueue(fn, 'request');
  }

  /** Like `write`, but retried until it commits or the store closes (the engine's own state). */
  writeEventually<T>(fn: (db: Db) => T | Promise<T>): Promise<T> {
    return this.writer.enqueue(fn, 'eventually');
  }

  /** Runs `fn` in its own immediate transaction right now (boot, tests, maintenance); may block up to 5 s on a lock. */
  writeNow<T>(fn: (db: Db) => T): T {
    this.writer.noteOutsideTransaction();
    this.sqlite.pragma(`busy_timeout = ${BOOT_BUSY_TIMEOUT_MS}`);
    try {
      return this.sqlite.transaction(() => fn(this.db)).immediate();
    } finally {
      this.sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Calls `listener` after each commit with its duration in seconds and its number of writes; returns the unsubscribe. */
  onCommit(listener: (seconds: number, writes: number) => void): () => void {
    this.writer.commitListeners.add(listener);
    return () => this.writer.commitListeners.delete(listener);
  }

  /** True while a write is queued or being retried. */
  get busy(): boolean {
    return this.writer.busy;
  }

  /** Resolves once every write queued so far has committed or failed (see GroupCommit.idle). */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  /** Number of writes waiting for the next commit (used for backpressure). */
  get pendingWrites(): number {
    return this.writer.pending;
  }

  /** True while writes fail and are being retried (locked by another process, disk full). */
  get inTrouble(): boolean {
    return this.writer.inTrouble;
  }

  /** How writes are doing, for /healthz: `locked` by another process, `failing` (disk full, I/O errors), or `ok`. */
  get writeState(): 'ok' | 'locked' | 'failing' {
    const kind = this.writer.troubleKind;
    return kind === 'busy' ? 'locked' : kind === 'io' ? 'failing' : 'ok';
  }

  /** The writer's transaction and write counters (for per-transaction caches such as QueueCap). */
  get position(): Readonly<TxPosition> {
    return this.writer.position;
  }

  /** Commits what is queued (one attempt), rejects what cannot commit, then closes the connection. */
  close(): void {
    if (!this.sqlite.open) return;
    this.writer.close();
    this.sqlite.close();
  }
}

/** Opens (creating and migrating if needed) the database at `<dataDir>/salve.db`. */
export function openStore(dataDir: string, options: StoreOptions = {}): SqliteStore {
  return new SqliteStore(join(dataDir, 'salve.db'), options);
}
