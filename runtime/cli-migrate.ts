import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError } from '../shared/errors.js';
import { parseCommand, postgresUrlOption, UsageError } from './cli-args.js';
import { acquireDataDirLock, dataDirHolder } from './lockfile.js';
import { migrationsFolder, openReadOnly, openStore } from './store/db.js';
import { migratePostgres, printableUrl } from './store/pg/migrate.js';
import { knownMigrations, type SchemaState, usableSchemaState } from './store/schema-version.js';

export const MIGRATE_HELP = `  salve migrate [--data ./data] [--check]
                                    bring the database up to this version's schema (serve also does it
                                    at start); --check only reports, and exits 1 when migrations are pending
  salve migrate --database postgres://… [--check]
                                    the same for a PostgreSQL database (also SALVE_DATABASE_URL); --check
                                    also says of each pending migration whether processes of the previous
                                    version may keep running while it is applied (a rolling upgrade)`;

type Out = { log: (s: string) => void; error: (s: string) => void };

/** The schema state of the database at `file`, read without changing anything (a newer schema is refused). */
function readState(file: string, known: ReturnType<typeof knownMigrations>): SchemaState {
  const sqlite = openReadOnly(file);
  try {
    return usableSchemaState(file, sqlite, known, false);
  } finally {
    sqlite.close();
  }
}

/**
 * `salve migrate`: applies the migrations this build carries to the data directory's database
 * (creating it when there is none), with the data directory locked, so never under a running
 * server. `--check` reads the schema state and changes nothing (exit 1 when migrations are
 * pending), for deploy scripts.
 */
export async function cmdMigrate(args: string[], out: Out): Promise<number> {
  const { positionals, values: flags } = parseCommand(args, { data: { type: 'string' }, check: { type: 'boolean' }, database: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const database = postgresUrlOption(flags);
  if (database !== undefined) return migratePostgresCommand(database, flags.check === true, out);
  const dataDir = resolve(flags.data ?? process.env.SALVE_DATA ?? './data');
  const file = join(dataDir, 'salve.db');
  const known = knownMigrations(migrationsFolder());
  const latest = known.at(-1)?.tag;
  const state = existsSync(file) ? readState(file, known) : undefined;
  const pending = state?.pending ?? known;
  if (pending.length === 0) {
    out.log(`${file}: up to date (${state?.applied} migrations, the latest ${latest})`);
    return 0;
  }
  if (flags.check) {
    out.error(state ? `${file}: ${pending.length} migration(s) pending: ${pending.map((m) => m.tag).join(', ')}` : `no database at ${file}: "salve migrate" or "salve serve" creates it`);
    return 1;
  }
  const pid = dataDirHolder(dataDir);
  if (pid !== undefined) {
    throw new ConflictError(`Salve (process ${pid}) is running on ${dataDir}: stop it first (or start the new version with "salve serve", which migrates at start)`);
  }
  const lock = acquireDataDirLock(dataDir);
  try {
    const store = openStore(dataDir);
    const applied = store.migrationsApplied;
    store.close();
    out.log(`${file}: applied ${applied.length} migration(s): ${applied.map((m) => m.tag).join(', ')}; now at ${latest}`);
  } finally {
    lock.release();
  }
  return 0;
}

/** `salve migrate --database postgres://…`: as above, for PostgreSQL (the password is never printed). */
async function migratePostgresCommand(url: string, check: boolean, out: Out): Promise<number> {
  const where = printableUrl(url);
  const { before, applied, latest, verdicts } = await migratePostgres(url, { check });
  if (check && before.pending.length > 0) {
    out.error(`${where}: ${before.pending.length} migration(s) pending: ${before.pending.map((m) => m.tag).join(', ')}`);
    // On an empty database nothing runs yet: there is no previous version to keep running.
    for (const { tag, verdict } of before.applied > 0 ? verdicts : []) {
      if (verdict.additive) out.error(`  ${tag}: additive: the previous version's processes may keep running (rolling upgrade)${verdict.reviewed ? `; reviewed: ${verdict.reviewed}` : ''}`);
      else out.error(`  ${tag}: NOT additive: stop every Salve process before applying it; ${verdict.problems.map((p) => `${p.why}: ${p.statement}`).join('; ')}`);
    }
    return 1;
  }
  if (before.pending.length === 0) out.log(`${where}: up to date (${before.applied} migrations, the latest ${latest?.tag})`);
  else out.log(`${where}: applied ${applied.length} migration(s): ${applied.map((m) => m.tag).join(', ')}; now at ${latest?.tag}`);
  if (check) return 0;
  // pg-boss's own schema (and the run queue) too, so a server never needs to create tables at
  // its first start; idempotent, and pg-boss upgrades its schema under its own lock.
  // Loaded here only: every other CLI command starts without pg-boss.
  const { prepareRunQueue } = await import('./store/pg/run-queue.js');
  await prepareRunQueue(url);
  out.log(`${where}: run queue (pg-boss, schema pgboss) ready`);
  return 0;
}
