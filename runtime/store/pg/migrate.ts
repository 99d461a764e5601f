import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { UnavailableError } from '../../../shared/errors.js';
import { findMigrationsFolder, knownMigrations, type KnownMigration, type SchemaState, schemaStateFrom, SchemaTooNewError } from '../schema-version.js';

/**
 * The PostgreSQL engine's migrations (scale-out mode): applied by `salve migrate --database`,
 * one process at a time (a session advisory lock, so several processes started together do not
 * race), all pending ones in ONE transaction (drizzle's migrator), never on a schema newer than
 * this build (SchemaTooNewError, as for SQLite).
 */

/** The advisory lock key held while migrating ("salve" in hex, near enough). */
const MIGRATION_LOCK_KEY = 0x5a1e;
const CONNECT_TIMEOUT_MS = 10_000;

/** Finds the committed PostgreSQL migrations both from source (vitest) and from dist/ (built CLI). */
export function pgMigrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return findMigrationsFolder([join(here, 'migrations'), join(here, '../../../../runtime/store/pg/migrations')], 'PostgreSQL migrations folder');
}

/** True for the URLs Salve accepts for PostgreSQL. */
export function isPostgresUrl(text: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** The password in a PostgreSQL URL (decoded), for the scrubber of outputs; undefined without one. */
export function passwordOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** `url` as it may be printed: the password replaced by `***`. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

/** Connects to `url`; an unreachable server or refused login becomes an UnavailableError that names the server, never the password. */
export async function connectPostgres(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: applicationName });
  // A connection dropped later (server restart) must not crash the process: the next query fails instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UnavailableError(`cannot connect to PostgreSQL at ${printableUrl(url)}: ${reason}`);
  }
  return client;
}

/** The schema state of the database `client` is connected to (read-only). */
async function postgresSchemaState(client: pg.Client, known: readonly KnownMigration[]): Promise<SchemaState> {
  const table = await client.query<{ t: string | null }>("select to_regclass('drizzle.__drizzle_migrations')::text as t");
  if (!table.rows[0]?.t) return schemaStateFrom([], known);
  const rows = await client.query<{ created_at: string }>('select created_at from drizzle.__drizzle_migrations order by created_at');
  return schemaStateFrom(
    rows.rows.map((r) => Number(r.created_at)),
    known,
  );
}

export interface PostgresMigration {
  /** The state before anything was applied. */
  before: SchemaState;
  /** What this call applied (empty with `check`, or when up to date). */
  applied: KnownMigration[];
  latest: KnownMigration | undefined;
}

/**
 * Brings the database at `url` up to this build's schema (with `check`, only reads its state).
 * Refuses a schema a newer Salve migrated. Another process migrating at the same moment is waited
 * for, and then there is nothing left to apply.
 */
export async function migratePostgres(url: string, options: { check?: boolean } = {}): Promise<PostgresMigration> {
  const folder = pgMigrationsFolder();
  const known = knownMigrations(folder);
  const client = await connectPostgres(url, 'salve migrate');
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const before = await postgresSchemaState(client, known);
    if (before.newerThanBuild !== undefined) throw new SchemaTooNewError(printableUrl(url), before.newerThanBuild, known);
    if (options.check || before.pending.length === 0) return { before, applied: [], latest: known.at(-1) };
    await migrate(drizzle(client), { migrationsFolder: folder });
    return { before, applied: before.pending, latest: known.at(-1) };
  } finally {
    // Ending the session releases the advisory lock.
    await client.end().catch(() => {});
  }
}
