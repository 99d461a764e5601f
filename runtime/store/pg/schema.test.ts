import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '../schema.js';
import * as pgSchema from './schema.js';

/**
 * The PostgreSQL schema must stay the SQLite schema in PostgreSQL's types: the same tables,
 * columns, nullability, defaults, keys and indexes. `salve copy` moves rows one to one, and the
 * engine's queries name the same columns on both. A column added to one file and not the other
 * fails here.
 */

const sqliteTables = new Map(
  Object.values(sqliteSchema as Record<string, unknown>)
    .filter((v): v is SQLiteTable => v instanceof SQLiteTable)
    .map((t) => [sqliteConfig(t).name, sqliteConfig(t)]),
);
const pgTables = new Map(
  Object.values(pgSchema as Record<string, unknown>)
    .filter((v): v is PgTable => v instanceof PgTable)
    .map((t) => [pgConfig(t).name, pgConfig(t)]),
);

/** SQLite column type → the PostgreSQL types that hold the same values. */
const SAME_VALUES: Record<string, string[]> = {
  SQLiteText: ['PgText'],
  SQLiteBoolean: ['PgBoolean'],
  SQLiteInteger: ['PgInteger', 'PgBigInt53'],
};

const indexColumns = (columns: readonly unknown[]) => columns.map((c) => (c as { name?: string }).name ?? '(expression)');

describe('the PostgreSQL schema mirrors the SQLite schema', () => {
  it('has the same tables', () => {
    expect([...pgTables.keys()].sort()).toEqual([...sqliteTables.keys()].sort());
    expect(sqliteTables.size).toBeGreaterThanOrEqual(20);
  });

  for (const [name, lite] of sqliteTables) {
    it(`${name}: same columns, types that hold the same values, same keys and indexes`, () => {
      const pg = pgTables.get(name)!;
      const pgColumns = new Map(pg.columns.map((c) => [c.name, c]));
      expect([...pgColumns.keys()]).toEqual(lite.columns.map((c) => c.name));
      for (const col of lite.columns) {
        const other = pgColumns.get(col.name)!;
        const where = `${name}.${col.name}`;
        expect(SAME_VALUES[col.columnType], `${where}: ${col.columnType} has no PostgreSQL counterpart listed`).toBeDefined();
        expect(SAME_VALUES[col.columnType], `${where}: ${col.columnType} vs ${other.columnType}`).toContain(other.columnType);
        // Times are milliseconds since the epoch: a 32-bit integer overflowed in January 1970.
        if (/(^at|_at)$/.test(col.name)) expect(other.columnType, `${where} is a time`).toBe('PgBigInt53');
        expect({ notNull: other.notNull, primary: other.primary, hasDefault: other.hasDefault }, where).toEqual({ notNull: col.notNull, primary: col.primary, hasDefault: col.hasDefault });
        expect(other.enumValues ?? [], where).toEqual(col.enumValues ?? []);
        // Plain defaults must be equal; SQL-expression defaults (audit.details) are compared by hand.
        if (typeof col.default !== 'object') expect(other.default, where).toEqual(col.default);
      }
      expect(pg.primaryKeys.map((k) => k.columns.map((c) => c.name))).toEqual(lite.primaryKeys.map((k) => k.columns.map((c) => c.name)));
      const pgIndexes = new Map(pg.indexes.map((i) => [i.config.name, i.config]));
      expect([...pgIndexes.keys()].sort()).toEqual(lite.indexes.map((i) => i.config.name).sort());
      for (const index of lite.indexes) {
        const other = pgIndexes.get(index.config.name)!;
        expect(Boolean(other.unique), index.config.name).toBe(Boolean(index.config.unique));
        expect(other.where === undefined, `${index.config.name}: partial on one engine only`).toBe(index.config.where === undefined);
        // The PostgreSQL index may add columns after SQLite's (the queue's order: no rowid there).
        expect(indexColumns(other.columns).slice(0, index.config.columns.length), index.config.name).toEqual(indexColumns(index.config.columns));
      }
    });
  }
});
