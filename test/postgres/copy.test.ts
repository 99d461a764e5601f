import Database from 'better-sqlite3';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../kit/cli.js';
import { openStore } from '../../runtime/store/db.js';
import { migratePostgres } from '../../runtime/store/pg/migrate.js';
import * as pgSchema from '../../runtime/store/pg/schema.js';
import * as sqliteSchema from '../../runtime/store/schema.js';
import { databasesPerTest, postgresAvailable } from '../kit/postgres.js';

const sqliteTables = Object.values(sqliteSchema as Record<string, unknown>).filter((v): v is SQLiteTable => v instanceof SQLiteTable);
const pgTables = new Map(
  Object.values(pgSchema as Record<string, unknown>)
    .filter((v): v is PgTable => v instanceof PgTable)
    .map((t) => [pgConfig(t).name, t]),
);

/** A time in milliseconds that does not fit 32 bits, as every stored time. */
const T0 = 1_796_473_201_947;

/**
 * `n` rows for `table`, made from its column list so every table and column is covered (a column
 * added later is too): texts with quotes and non-ASCII, large times, both booleans, nulls in
 * every nullable column of every other row, enums cycling through their values.
 */
function rowsFor(table: SQLiteTable, n: number): Record<string, unknown>[] {
  const { columns } = sqliteConfig(table);
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      Object.entries(table as unknown as Record<string, { name: string; columnType: string; notNull: boolean; enumValues?: string[] }>)
        .filter(([, col]) => columns.includes(col as never))
        .map(([key, col]) => {
          if (!col.notNull && i % 2 === 1) return [key, null];
          if (col.enumValues?.length) return [key, col.enumValues[i % col.enumValues.length]];
          if (col.columnType === 'SQLiteBoolean') return [key, i % 2 === 0];
          if (col.columnType === 'SQLiteInteger') return [key, /(^at|_at)$/.test(col.name) ? T0 + i : i + 1];
          return [key, `${col.name} “${i}” 'quoted' ✓ é`];
        }),
    ),
  );
}

/** A data directory whose database has `n` rows in every table. */
function populatedDataDir(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'salve-copy-'));
  const store = openStore(dir);
  store.writeNow((db) => {
    for (const table of sqliteTables) db.insert(table).values(rowsFor(table, n)).run();
  });
  store.close();
  return dir;
}

const byJson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();


describe.runIf(postgresAvailable)('salve copy --from <sqlite> --to postgres://', () => {
  const fresh = databasesPerTest();
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = (n: number) => {
    const dir = populatedDataDir(n);
    dirs.push(dir);
    return dir;
  };

  it('copies every row of every table, values unchanged (times, booleans, nulls, text), in one go', async () => {
    const dir = dataDir(5);
    const db = await fresh();
    const withPassword = db.url.replace('postgres@', 'postgres:copy-pass-41d2@');
    const sqlite = new Database(join(dir, 'salve.db'), { readonly: true });
    const total = sqliteTables.reduce((n, t) => n + (sqlite.prepare(`select count(*) as n from "${sqliteConfig(t).name}"`).get() as { n: number }).n, 0);
    sqlite.close();
    // Five made here per table, and what opening a store writes by itself (the default team).
    expect(total).toBeGreaterThanOrEqual(5 * sqliteTables.length);
    const run = await runCliCaptured('copy', '--from', dir, '--to', withPassword);
    // The rows made here are not a hash chain: copied as they are, with a warning that says so.
    expect(run.err).toContain("warning: the source's audit log was already broken, and was copied as it is: audit row 1");
    expect(run.code).toBe(0);
    expect(run.out).toContain(`copied ${total} rows`);
    expect(run.out).toContain('postgres:***@');
    expect(run.out).not.toContain('copy-pass-41d2');
    expect(run.out).toContain('the same master key');

    const store = openStore(dir);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const pgdb = pgDrizzle(client);
      for (const table of sqliteTables) {
        const name = sqliteConfig(table).name;
        const expected = store.db.select().from(table).all();
        const copied = await pgdb.select().from(pgTables.get(name)!);
        expect(byJson(copied), name).toEqual(byJson(expected));
        expect(copied.length, name).toBeGreaterThanOrEqual(5);
      }
      // The audit log goes on after the copied ids, and stays append-only.
      const next = await client.query<{ id: string }>("insert into audit (at, actor, action, target) values (1, 'admin', 'x', 'y') returning id");
      expect(Number(next.rows[0]!.id)).toBe(6);
      await expect(client.query('delete from audit')).rejects.toThrow('append-only');
    } finally {
      await client.end();
      store.close();
    }
  });

  it('copies a data directory with thousands of rows in one table (batched inserts)', async () => {
    const dir = dataDir(1);
    const sqlite = new Database(join(dir, 'salve.db'));
    const insert = sqlite.prepare("insert into event_refs (ref, event_id) values (?, ?)");
    sqlite.transaction(() => {
      for (let i = 0; i < 45_000; i++) insert.run(`flow:f${i % 7}`, `e${i}`);
    })();
    sqlite.close();
    const db = await fresh();
    const run = await runCliCaptured('copy', '--from', join(dir, 'salve.db'), '--to', db.url);
    expect(run.code).toBe(0);
    expect(run.out).toContain('event_refs: 45001');
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from event_refs')).rows[0].n)).toBe(45_001);
  });

  it('refuses a target that holds Salve data, and leaves it as it was', async () => {
    const db = await fresh();
    await migratePostgres(db.url);
    await db.query((c) => c.query("insert into flows (id, name, enabled, revision, document, created_at, updated_at) values ('kept', 'kept', true, 1, '{}', 1, 1)"));
    const run = await runCliCaptured('copy', '--from', dataDir(2), '--to', db.url);
    expect(run.code).toBe(1);
    expect(run.err).toContain('already holds Salve data (flows: 1 rows)');
    expect(run.err).toContain('copy into an empty database');
    expect(await db.query(async (c) => (await c.query('select id from flows')).rows)).toEqual([{ id: 'kept' }]);
    expect(await db.query(async (c) => (await c.query('select count(*)::int as n from executions')).rows[0].n)).toBe(0);
  });

  it('refuses while a server runs on the data directory, and a source that needs migrations; the target is untouched', async () => {
    const db = await fresh();
    const running = dataDir(1);
    writeFileSync(join(running, 'salve.pid'), `${process.ppid}\n`);
    const busy = await runCliCaptured('copy', '--from', running, '--to', db.url);
    expect(busy.code).toBe(1);
    expect(busy.err).toContain(`Salve (process ${process.ppid}) is running on ${running}: stop it first`);

    const older = dataDir(1);
    const sqlite = new Database(join(older, 'salve.db'));
    sqlite.exec('delete from __drizzle_migrations where created_at = (select max(created_at) from __drizzle_migrations)');
    sqlite.close();
    const behind = await runCliCaptured('copy', '--from', older, '--to', db.url);
    expect(behind.code).toBe(1);
    expect(behind.err).toContain('is older than this Salve');
    expect(await db.query(async (c) => (await c.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'")).rows[0].n)).toBe(0);
  });
});

describe('salve copy: bad input', () => {
  it('names what is missing or wrong (exit 2), and an unreachable target (exit 1) without its password', async () => {
    expect((await runCliCaptured('copy', '--to', 'postgres://127.0.0.1/x')).err).toContain('salve copy --from');
    const notPg = await runCliCaptured('copy', '--from', '.', '--to', 'sqlite:///tmp/x.db');
    expect(notPg.code).toBe(2);
    expect(notPg.err).toContain('--to must be a postgres:// or postgresql:// URL');
    const nothing = await runCliCaptured('copy', '--from', join(tmpdir(), 'no-such-salve-dir'), '--to', 'postgres://127.0.0.1/x');
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('--from: no Salve database at');
    const dir = populatedDataDir(1);
    try {
      const down = await runCliCaptured('copy', '--from', dir, '--to', 'postgres://salve:pw-never-shown-77@127.0.0.1:1/salve');
      expect(down.code).toBe(1);
      expect(down.err).toContain('cannot connect to PostgreSQL at postgres://salve:***@127.0.0.1:1/salve');
      expect(down.err).not.toContain('pw-never-shown-77');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
