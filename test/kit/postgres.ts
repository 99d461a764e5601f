import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterEach } from 'vitest';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import { PostgresPool, type PostgresPoolOptions } from '../../runtime/store/pg/pool.js';
import { RunQueue } from '../../runtime/store/pg/run-queue.js';
import { PostgresStore } from '../../runtime/store/pg/store.js';

const silent = pino({ level: 'silent' });

/**
 * A PostgreSQL server for the tests of the PostgreSQL engine: SALVE_TEST_DATABASE_URL, else the
 * machine's local server (trust auth). Each test gets a database of its own, created here and
 * dropped after, so tests never see each other's rows and leave nothing behind.
 *
 * When no server answers, the suites that need one are skipped with a warning, except where the
 * caller knows one is there: `.ci/run` sets SALVE_TEST_POSTGRES=required, and then an unreachable
 * server is an error, never a silent pass.
 */
const ADMIN_URL = process.env.SALVE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await reachable();
export const postgresAvailable = problem === undefined;
if (problem !== undefined) {
  const where = new URL(ADMIN_URL).host;
  if (process.env.SALVE_TEST_POSTGRES === 'required') {
    throw new Error(`SALVE_TEST_POSTGRES=required, but PostgreSQL at ${where} does not answer (${problem}): the PostgreSQL suites cannot run`);
  }
  console.warn(`postgres: SKIPPED — no PostgreSQL at ${where} (${problem}); set SALVE_TEST_DATABASE_URL to run these suites`);
}

/** Runs `fn` with a connection to `url`, closed after. */
async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TempDatabase {
  /** The database's URL (same server and credentials as ADMIN_URL). */
  url: string;
  name: string;
  /** Runs `fn` with a connection to this database. */
  query<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

/** A new, empty database on the test server. */
async function tempDatabase(): Promise<TempDatabase> {
  const name = `salve_test_${randomBytes(6).toString('hex')}`;
  await withClient(ADMIN_URL, (c) => c.query(`create database "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    query: (fn) => withClient(url.toString(), fn),
    drop: () => withClient(ADMIN_URL, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** For a suite: makes fresh databases, each dropped after the test that made it. Call it in the describe block. */
export function databasesPerTest(): () => Promise<TempDatabase> {
  const made: TempDatabase[] = [];
  afterEach(async () => {
    for (const db of made.splice(0)) await db.drop();
  });
  return async () => {
    const db = await tempDatabase();
    made.push(db);
    return db;
  };
}

/** One Salve "process" on a test database: its own pool, run queue and Store, as `salve serve --database` opens them. */
export interface PostgresProcess {
  pool: PostgresPool;
  queue: RunQueue;
  store: PostgresStore;
}

/**
 * For a suite whose tests run several processes on one database: `database()` makes a fresh,
 * migrated one; `open(url)` starts a process on it. After each test, what `onClose` registered
 * (an engine's shutdown) and then the processes are closed, newest first, and the database dropped.
 */
export function postgresProcesses() {
  const fresh = databasesPerTest();
  const closers: (() => Promise<void>)[] = [];
  // Registered after databasesPerTest's hook, so it runs before the database is dropped.
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    async database(): Promise<TempDatabase> {
      const database = await fresh();
      await migratePostgres(database.url);
      return database;
    },
    async open(url: string, options: PostgresPoolOptions = {}): Promise<PostgresProcess> {
      const pool = new PostgresPool(url, { log: silent, ...options });
      const queue = await RunQueue.open(pool, { log: silent });
      const store = new PostgresStore(pool, queue, silent);
      closers.push(async () => {
        store.close();
        await queue.close();
        await pool.close();
      });
      return { pool, queue, store };
    },
    onClose(close: () => Promise<void> | void): void {
      closers.push(async () => close());
    },
  };
}

/** The test server's maintenance database URL (as the server's admin), for suites that change a test database from outside it. */
export function adminDatabaseUrl(): string {
  return ADMIN_URL;
}
