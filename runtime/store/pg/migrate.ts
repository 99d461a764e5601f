import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ConflictError, UnavailableError } from '../../../shared/errors.js';
import { rollingVerdict, type RollingVerdict } from './rolling-upgrade.js';
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
  /** Whether processes of the previous version may keep running while each pending migration is applied (rolling-upgrade.ts). */
  verdicts: { tag: string; verdict: RollingVerdict }[];
}

/** The application_name of a running server's connections (open.ts), which tells them from `salve migrate` and the rest. */
export const SERVER_APPLICATION_NAME = 'salve serve';

/**
 * Brings the database at `url` up to this build's schema (with `check`, only reads its state).
 * Refuses a schema a newer Salve migrated. Another process migrating at the same moment is waited
 * for, and then there is nothing left to apply.
 */
export async function migratePostgres(url: string, options: { check?: boolean; folder?: string } = {}): Promise<PostgresMigration> {
  const folder = options.folder ?? pgMigrationsFolder();
  const known = knownMigrations(folder);
  const client = await connectPostgres(url, 'salve migrate');
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const before = await postgresSchemaState(client, known);
    if (before.newerThanBuild !== undefined) throw new SchemaTooNewError(printableUrl(url), before.newerThanBuild, known);
    const verdicts = before.pending.map((m) => ({ tag: m.tag, verdict: rollingVerdict(m.tag, readFileSync(join(folder, `${m.tag}.sql`), 'utf8')) }));
    if (options.check || before.pending.length === 0) return { before, applied: [], latest: known.at(-1), verdicts };
    // An empty database has no older processes to break.
    if (before.applied > 0) await refuseBesideRunningServers(client, printableUrl(url), verdicts);
    await migrate(drizzle(client), { migrationsFolder: folder });
    return { before, applied: before.pending, latest: known.at(-1), verdicts };
  } finally {
    // Ending the session releases the advisory lock.
    await client.end().catch(() => {});
  }
}

/**
 * Refuses to apply a migration that is not additive while Salve servers are connected to the
 * database: they run the previous version, and its statements may fail on the changed tables.
 * Additive migrations go ahead (a rolling upgrade). The servers are told by their connections'
 * application_name; a process that dies drops its connections, so a stale count clears itself.
 */
async function refuseBesideRunningServers(client: pg.Client, where: string, verdicts: PostgresMigration['verdicts']): Promise<void> {
  const breaking = verdicts.filter((v) => !v.verdict.additive);
  if (breaking.length === 0) return;
  const servers = await client.query<{ n: number; clients: string | null }>(
    `select count(*)::int as n, string_agg(distinct coalesce(host(client_addr), 'local socket'), ', ') as clients
       from pg_stat_activity where datname = current_database() and application_name = $1`,
    [SERVER_APPLICATION_NAME],
  );
  const { n, clients } = servers.rows[0] ?? { n: 0, clients: null };
  if (n === 0) return;
  const first = breaking[0]!;
  const problem = first.verdict.additive ? undefined : first.verdict.problems[0];
  throw new ConflictError(
    `${where}: migration ${first.tag} is not additive (${problem?.why}: ${problem?.statement}), and Salve servers are connected (${n} connection(s) from ${clients}): ` +
      'stop every Salve process on this database, then start the new version (a rolling upgrade is only for additive migrations; "salve migrate --check" lists them)',
  );
}
