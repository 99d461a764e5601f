import type Database from 'better-sqlite3';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { ConflictError } from '../../../shared/errors.js';
import { type ChainReport, verifyAuditChain } from '../audit-chain.js';
import { migrationsFolder, openReadOnly } from '../db.js';
import { knownMigrations, usableSchemaState } from '../schema-version.js';
import { checkAuditChain } from './audit-verify.js';
import { connectPostgres, migratePostgres, printableUrl } from './migrate.js';
import * as pgSchema from './schema.js';

/**
 * `salve copy`: moves an installation from its SQLite database to PostgreSQL, every table row for
 * row (flows with their revisions, events, runs and their steps, approvals, encrypted secrets, the
 * audit log with its hash chain, people, sessions…).
 *
 * Safe by construction: the source is read in ONE read transaction (a consistent snapshot), the
 * target is written in ONE transaction, and only into a database with none of Salve's rows, so a
 * failure or a refusal leaves the target as it was. Values are copied as they are: secrets stay
 * encrypted under the same master key, which the PostgreSQL processes need as well.
 */

/** Rows per INSERT: PostgreSQL allows 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

interface TableCopy {
  name: string;
  columns: { name: string; boolean: boolean }[];
}

/** Salve's tables in the order they are copied (parents before the rows that name them, for readers' sake). */
function tablesToCopy(): TableCopy[] {
  return Object.values(pgSchema as Record<string, unknown>)
    .filter((v): v is PgTable => v instanceof PgTable)
    .map((t) => getTableConfig(t))
    .map((c) => ({ name: c.name, columns: c.columns.map((col) => ({ name: col.name, boolean: col.columnType === 'PgBoolean' })) }));
}

export interface CopyReport {
  /** Rows copied, per table, in copy order. */
  tables: { name: string; rows: number }[];
  target: string;
  /** The audit chain as read back from the target before COMMIT (the same as the source's, or the copy was rolled back). */
  audit: ChainReport;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Opens the SQLite database read-only, after checking its schema is exactly this build's. */
function openSource(file: string): Database.Database {
  const sqlite = openReadOnly(file);
  try {
    usableSchemaState(file, sqlite, knownMigrations(migrationsFolder()), true);
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** Refuses a target that already holds any of Salve's rows: copying into it would mix two installations. */
async function assertEmpty(client: pg.Client, tables: TableCopy[], target: string): Promise<void> {
  const counts = await client.query<{ name: string; n: string }>(tables.map((t) => `select '${t.name}' as name, count(*) as n from ${quote(t.name)}`).join(' union all '));
  const used = counts.rows.filter((r) => Number(r.n) > 0);
  if (used.length > 0) {
    throw new ConflictError(`${target} already holds Salve data (${used.map((r) => `${r.name}: ${r.n} rows`).join(', ')}): copy into an empty database`);
  }
}

/** Inserts `rows` (arrays in `table.columns` order) with as few statements as the parameter limit allows. */
async function insertRows(client: pg.Client, table: TableCopy, rows: unknown[][]): Promise<void> {
  const width = table.columns.length;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  const columnList = table.columns.map((c) => quote(c.name)).join(', ');
  for (let from = 0; from < rows.length; from += perStatement) {
    const chunk = rows.slice(from, from + perStatement);
    const values = chunk.map((_, r) => `(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    // OVERRIDING SYSTEM VALUE: the audit ids are kept (the hash chain covers them).
    await client.query(`insert into ${quote(table.name)} (${columnList}) overriding system value values ${values}`, chunk.flat());
  }
}

/** Counts every table on the target (in the copy's transaction): each must hold exactly what was sent. */
async function checkCopied(client: pg.Client, copied: CopyReport['tables']): Promise<void> {
  for (const { name, rows } of copied) {
    const found = Number((await client.query<{ n: string }>(`select count(*) as n from ${quote(name)}`)).rows[0]?.n);
    if (found !== rows) throw new Error(`${name}: ${rows} rows sent but ${found} found before COMMIT: nothing was copied`);
  }
}

/** Rows read from SQLite and held before an INSERT batch is sent. */
const READ_BATCH = 2_000;

/**
 * Copies every row of the SQLite database `sqliteFile` into the PostgreSQL database at `url`
 * (migrated first), in one transaction. Refuses a target with rows, and a source whose schema is
 * not this build's.
 */
export async function copySqliteToPostgres(sqliteFile: string, url: string): Promise<CopyReport> {
  const target = printableUrl(url);
  const source = openSource(sqliteFile);
  try {
    await migratePostgres(url);
    const tables = tablesToCopy();
    const client = await connectPostgres(url, 'salve copy');
    try {
      await client.query('begin');
      await assertEmpty(client, tables, target);
      const tablesCopied: CopyReport['tables'] = [];
      // One read transaction over every table: the snapshot is consistent even while something writes.
      let sourceAudit: ChainReport;
      source.prepare('begin').run();
      try {
        for (const table of tables) {
          const select = source.prepare(`select ${table.columns.map((c) => quote(c.name)).join(', ')} from ${quote(table.name)}`).raw(true);
          let batch: unknown[][] = [];
          let rows = 0;
          for (const row of select.iterate() as IterableIterator<unknown[]>) {
            batch.push(table.columns.map((c, i) => (c.boolean && row[i] !== null ? row[i] === 1 : row[i])));
            if (batch.length === READ_BATCH) {
              await insertRows(client, table, batch);
              rows += batch.length;
              batch = [];
            }
          }
          await insertRows(client, table, batch);
          rows += batch.length;
          tablesCopied.push({ name: table.name, rows });
        }
        sourceAudit = verifyAuditChain(source);
      } finally {
        source.prepare('commit').run();
      }
      await checkCopied(client, tablesCopied);
      // The audit log is the evidence: read it back from the target and compare with the source's
      // before committing. A source whose chain is already broken is copied as it is (evidence is
      // kept), and the report says where it breaks.
      const audit = await checkAuditChain(client);
      if (JSON.stringify(audit) !== JSON.stringify(sourceAudit)) {
        throw new Error(`the audit log read back from ${target} differs from the source's (${JSON.stringify(sourceAudit)} vs ${JSON.stringify(audit)}): nothing was copied`);
      }
      // New audit rows continue after the copied ids.
      await client.query("select setval(pg_get_serial_sequence('audit', 'id'), coalesce((select max(id) from audit), 0) + 1, false)");
      await client.query('commit');
      return { tables: tablesCopied, target, audit };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    source.close();
  }
}
