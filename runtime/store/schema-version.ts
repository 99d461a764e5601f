import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Which of this build's migrations a database has, read before anything is applied. drizzle's
 * migrator records each applied migration's journal timestamp in `__drizzle_migrations` and
 * applies those newer than the last one recorded; it says nothing when the database is AHEAD of
 * the code (a newer Salve upgraded it, then an older one was started on it), and the older code
 * would then run on tables it does not know. Salve refuses that instead (SchemaTooNewError).
 */

/** One migration this build carries: its drizzle-kit tag and journal timestamp. */
export interface KnownMigration {
  tag: string;
  when: number;
}

const JournalSchema = z.object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })).min(1) });

/** The first of `candidates` (source tree for vitest, then beside dist/ for the built CLI) that holds a drizzle-kit journal. */
export function findMigrationsFolder(candidates: readonly string[], what: string): string {
  const found = candidates.find((c) => existsSync(join(c, 'meta', '_journal.json')));
  if (!found) throw new Error(`${what} not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The migrations in `folder` (drizzle-kit's `meta/_journal.json`), oldest first. */
export function knownMigrations(folder: string): KnownMigration[] {
  const journal = JournalSchema.parse(JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')));
  return journal.entries.map(({ tag, when }) => ({ tag, when })).sort((a, b) => a.when - b.when);
}

export interface SchemaState {
  /** How many migrations the database records. */
  applied: number;
  /** The newest of this build's migrations the database has; undefined for a new database. */
  current?: KnownMigration;
  /** This build's migrations the database lacks (serve and `salve migrate` apply them). */
  pending: KnownMigration[];
  /** When the database's newest migration is newer than every one this build knows: its timestamp. */
  newerThanBuild?: number;
}

/** Reads the schema state of an open SQLite database (read-only; a database without tables has every migration pending). */
export function schemaState(sqlite: Database.Database, known: readonly KnownMigration[]): SchemaState {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  const applied = table ? (sqlite.prepare('select created_at as at from __drizzle_migrations order by created_at').all() as { at: number | string }[]).map((r) => Number(r.at)) : [];
  return schemaStateFrom(applied, known);
}

/** The schema state from the timestamps a database recorded for its migrations (either engine), oldest first. */
export function schemaStateFrom(applied: readonly number[], known: readonly KnownMigration[]): SchemaState {
  const last = applied.at(-1);
  const newest = known.at(-1);
  return {
    applied: applied.length,
    current: last === undefined ? undefined : known.findLast((k) => k.when <= last),
    // drizzle's own rule: what is newer than the last migration recorded.
    pending: known.filter((k) => last === undefined || k.when > last),
    newerThanBuild: last !== undefined && newest !== undefined && last > newest.when ? last : undefined,
  };
}

/**
 * The schema state of the SQLite database `sqlite` (at `file`), refused when a newer Salve
 * migrated it and, with `refusePending`, when it lacks migrations (for commands that do not apply them).
 */
export function usableSchemaState(file: string, sqlite: Database.Database, known: readonly KnownMigration[], refusePending: boolean): SchemaState {
  const state = schemaState(sqlite, known);
  if (state.newerThanBuild !== undefined) throw new SchemaTooNewError(file, state.newerThanBuild, known);
  if (refusePending && state.pending.length > 0) throw new SchemaBehindError(file, state.pending);
  return state;
}

/** The database was upgraded by a newer Salve than this one: starting on it could lose or damage data. */
export class SchemaTooNewError extends Error {
  /** `file`: the SQLite file, or the PostgreSQL database's URL without its password. */
  constructor(file: string, appliedAt: number, known: readonly KnownMigration[]) {
    super(
      `the database ${file} was upgraded by a newer Salve: its newest migration (from ${new Date(appliedAt).toISOString()}) is unknown to this version, which knows up to ${known.at(-1)?.tag ?? 'none'}.\n` +
        '  Run the newer Salve again, or restore the backup taken before the upgrade. An older Salve does not start on a newer schema.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** The database lacks migrations and the command that opened it does not apply them (only `serve` and `salve migrate` do). */
class SchemaBehindError extends Error {
  constructor(file: string, pending: readonly KnownMigration[]) {
    super(
      `the database ${file} is older than this Salve: ${pending.length} migration(s) pending (${pending.map((m) => m.tag).join(', ')}).\n` +
        '  Stop the running Salve, then run "salve migrate" (or start this version with "salve serve"), and try again.',
    );
    this.name = 'SchemaBehindError';
  }
}
