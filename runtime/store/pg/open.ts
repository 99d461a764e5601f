import { ConflictError } from '../../../shared/errors.js';
import type { Logger } from '../../log.js';
import { migratePostgres, printableUrl, SERVER_APPLICATION_NAME } from './migrate.js';
import { PostgresPool } from './pool.js';
import { RunQueue } from './run-queue.js';
import { PostgresStore } from './store.js';

/** The PostgreSQL state of one `salve serve` process, and how to let go of it at the stop. */
export interface OpenPostgres {
  store: PostgresStore;
  /** The database without its password, for start-up lines and logs. */
  where: string;
  /** Pending migrations this start applied (their tags); empty when the schema was up to date. */
  migrated: string[];
  /** Rejects writes from now on, stops pg-boss's upkeep, closes the pool (in that order). */
  close(): Promise<void>;
}

/**
 * Opens the database for `salve serve --database`: applies this build's pending migrations as
 * the SQLite start does (under the migration advisory lock, so processes starting together apply
 * them once), refuses a schema a newer Salve wrote, starts the run queue (pg-boss), and builds
 * the Store the engine runs on. Nothing is left open when a step fails.
 */
export async function openPostgres(url: string, options: { log: Logger; poolSize: number }): Promise<OpenPostgres> {
  const migration = await migratePostgres(url);
  const pool = new PostgresPool(url, { log: options.log, poolSize: options.poolSize, applicationName: SERVER_APPLICATION_NAME });
  let queue: RunQueue;
  try {
    queue = await RunQueue.open(pool, { log: options.log });
  } catch (error) {
    await pool.close();
    throw error;
  }
  const store = new PostgresStore(pool, queue, options.log);
  try {
    await ensureDefaultTeam(store);
  } catch (error) {
    store.close();
    await queue.close();
    await pool.close();
    throw error;
  }
  return {
    store,
    where: printableUrl(url),
    migrated: migration.applied.map((m) => m.tag),
    close: async () => {
      store.close();
      await queue.close();
      await pool.close();
    },
  };
}

/**
 * A new database gets the `default` team, as SQLite's migration 0010 gives one: flows and
 * secrets created without a team belong to it. Not a migration, so that `salve copy` still finds
 * an empty database before the first start. Only when there is no team at all: a default team an
 * admin deleted on purpose is not brought back. Processes starting together: one inserts it.
 */
async function ensureDefaultTeam(store: PostgresStore): Promise<void> {
  try {
    await store.write(async (tx) => {
      if ((await tx.people.listTeams()).length > 0) return;
      await tx.people.insertTeam({ id: 'default', name: 'Default', createdAt: Date.now() });
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
