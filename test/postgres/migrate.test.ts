import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../kit/cli.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migratePostgres, pgMigrationsFolder, SERVER_APPLICATION_NAME } from '../../runtime/store/pg/migrate.js';
import { waitFor } from '../kit/wait.js';
import * as pgSchema from '../../runtime/store/pg/schema.js';
import { knownMigrations } from '../../runtime/store/schema-version.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

const known = knownMigrations(pgMigrationsFolder());
const configs = Object.values(pgSchema as Record<string, unknown>)
  .filter((v): v is PgTable => v instanceof PgTable)
  .map((t) => getTableConfig(t));
const tables = configs.map((c) => c.name);


describe.runIf(postgresAvailable)('salve migrate --database (PostgreSQL)', () => {
  const fresh = databasesPerTest();

  it('lists what is pending (exit 1, nothing created), applies it, then is up to date; every table is there', async () => {
    const db = await fresh();
    const check = await runCliCaptured('migrate', '--check', '--database', db.url);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`${known.length} migration(s) pending: ${known.map((m) => m.tag).join(', ')}`);
    expect(await db.query(async (c) => (await c.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'")).rows[0].n)).toBe(0);

    const run = await runCliCaptured('migrate', '--database', db.url);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`applied ${known.length} migration(s)`);
    // pg-boss's schema and the run queue are made by migrate too: a server never creates tables.
    expect(run.out).toContain('run queue (pg-boss, schema pgboss) ready');
    expect(await db.query(async (c) => (await c.query("select name from pgboss.queue")).rows.map((r) => r.name))).toEqual(['salve-runs']);
    const present = await db.query(async (c) => (await c.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'")).rows.map((r) => r.table_name));
    expect(present.sort()).toEqual([...tables].sort());
    expect(tables.length).toBeGreaterThanOrEqual(20);
    // The committed migrations build exactly what runtime/store/pg/schema.ts declares.
    const columns = await db.query(async (c) => (await c.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string }>("select table_name, column_name, is_nullable, data_type from information_schema.columns where table_schema = 'public'")).rows);
    const built = columns.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`).sort();
    const declared = configs.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name} ${c.getSQLType()}${c.notNull ? ' not null' : ''}`)).sort();
    expect(built).toEqual(declared);

    const again = await runCliCaptured('migrate', '--check', '--database', db.url);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`up to date (${known.length} migrations, the latest ${known.at(-1)!.tag})`);
  });

  it('keeps the audit log append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    await db.query(async (c) => {
      await c.query("insert into audit (at, actor, action, target) values (1, 'admin', 'flow.create', 'f1')");
      await expect(c.query("update audit set actor = 'someone else'")).rejects.toThrow('audit log is append-only');
      await expect(c.query('delete from audit')).rejects.toThrow('audit log is append-only');
      await expect(c.query('truncate audit')).rejects.toThrow('audit log is append-only');
      expect((await c.query('select actor from audit')).rows).toEqual([{ actor: 'admin' }]);
    });
  });

  it('several processes migrating at once: one applies, the others wait and find nothing to do', async () => {
    const db = await fresh();
    const results = await Promise.all([migratePostgres(db.url), migratePostgres(db.url), migratePostgres(db.url)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, known.length]);
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n)).toBe(known.length);
  });

  it('applies an additive migration beside running servers (rolling upgrade), and refuses one that is not until they are stopped', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    const dir = mkdtempSync(join(tmpdir(), 'salve-pg-migrations-'));
    const withMigrations = (name: string, added: { tag: string; sql: string }[]) => {
      const folder = join(dir, name);
      cpSync(pgMigrationsFolder(), folder, { recursive: true });
      const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
      for (const { tag, sql } of added) {
        const last = journal.entries.at(-1)!;
        journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag });
        writeFileSync(join(folder, `${tag}.sql`), sql);
      }
      writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
      return folder;
    };
    const note = { tag: '0100_add_note', sql: 'ALTER TABLE "executions" ADD COLUMN "note" text;' };
    const rename = { tag: '0101_rename_note', sql: 'ALTER TABLE "executions" RENAME COLUMN "note" TO "remark";' };
    const columns = () => db.query(async (c) => (await c.query("select column_name from information_schema.columns where table_name = 'executions' and column_name in ('note', 'remark')")).rows.map((r) => r.column_name));
    // A server of the previous version, as its pool connects.
    const server = new pg.Client({ connectionString: db.url, application_name: SERVER_APPLICATION_NAME });
    await server.connect();
    try {
      const rolling = await migratePostgres(db.url, { folder: withMigrations('a', [note]) });
      expect(rolling.applied.map((m) => m.tag)).toEqual(['0100_add_note']);
      expect(await columns()).toEqual(['note']);

      const folder = withMigrations('b', [note, rename]);
      const check = await migratePostgres(db.url, { folder, check: true });
      expect(check.verdicts).toEqual([{ tag: '0101_rename_note', verdict: { additive: false, problems: [{ statement: rename.sql, why: 'it changes an existing table (not only a new column)' }] } }]);
      await expect(migratePostgres(db.url, { folder })).rejects.toThrow(
        /migration 0101_rename_note is not additive \(it changes an existing table .*\), and Salve servers are connected \(1 connection\(s\) from [^)]+\): stop every Salve process/,
      );
      expect(await columns()).toEqual(['note']);
      await server.end();
      // Stopped: its connection is gone, and the migration goes ahead.
      await waitFor(async () => (await migratePostgres(db.url, { folder }).then((m) => m.applied.map((a) => a.tag)).catch(() => undefined))?.join() === '0101_rename_note');
      expect(await columns()).toEqual(['remark']);
    } finally {
      await server.end().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a schema a newer Salve migrated, and never prints the password', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    await db.query((c) => c.query('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', ['from-a-newer-salve', known.at(-1)!.when + 86_400_000]));
    const withPassword = db.url.replace('postgres@', 'postgres:not-the-password-7f3a@');
    const run = await runCliCaptured('migrate', '--database', withPassword);
    expect(run.code).toBe(1);
    expect(run.err).toContain('was upgraded by a newer Salve');
    expect(run.err).toContain('postgres:***@');
    expect(run.err + run.out).not.toContain('not-the-password-7f3a');
  });
});

describe('salve migrate --database: bad input', () => {
  it('an unreachable server: exit 1, names the server, not the password', async () => {
    const run = await runCliCaptured('migrate', '--database', 'postgres://salve:hunter2-secret-9b1c@127.0.0.1:1/salve');
    expect(run.code).toBe(1);
    expect(run.err).toContain('cannot connect to PostgreSQL at postgres://salve:***@127.0.0.1:1/salve: ECONNREFUSED');
    expect(run.err).not.toContain('hunter2-secret-9b1c');
  });

  it('a URL that is not PostgreSQL, or --data with --database: usage error (exit 2)', async () => {
    const mysql = await runCliCaptured('migrate', '--database', 'mysql://127.0.0.1/salve');
    expect(mysql.code).toBe(2);
    expect(mysql.err).toContain('--database (or SALVE_DATABASE_URL) must be a postgres:// or postgresql:// URL');
    const both = await runCliCaptured('migrate', '--data', './data', '--database', 'postgres://127.0.0.1/salve');
    expect(both.code).toBe(2);
    expect(both.err).toContain('not both');
  });
});
