import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../test/kit/cli.js';
import { migrationsFolder, openStore, SqliteStore } from './store/db.js';
import { knownMigrations, SchemaTooNewError } from './store/schema-version.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'salve-migrate-'));
  dirs.push(dir);
  return dir;
}

const known = knownMigrations(migrationsFolder());

/**
 * A data directory whose database an older Salve made: every committed migration but the last
 * `missing`, applied by drizzle's migrator from a copy of the migrations folder cut short.
 */
function olderDataDir(missing: number): string {
  const dir = tempDir();
  const folder = join(tempDir(), 'migrations');
  cpSync(migrationsFolder(), folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, -missing);
  writeFileSync(journalFile, JSON.stringify(journal));
  const sqlite = new Database(join(dir, 'salve.db'));
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return dir;
}

/** A data directory whose database a newer Salve upgraded: one migration this build does not know. */
function newerDataDir(): string {
  const dir = tempDir();
  openStore(dir).close();
  const sqlite = new Database(join(dir, 'salve.db'));
  sqlite.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('from-a-newer-salve', known.at(-1)!.when + 86_400_000);
  sqlite.close();
  return dir;
}


const migrationRows = (dir: string) => {
  const sqlite = new Database(join(dir, 'salve.db'), { readonly: true });
  const n = (sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
  sqlite.close();
  return n;
};

describe('salve migrate', () => {
  it('reports the pending migrations with --check (exit 1, nothing changed), applies them, then reports up to date', async () => {
    const dir = olderDataDir(2);
    const pending = known.slice(-2).map((m) => m.tag);
    const check = await runCliCaptured('migrate', '--check', '--data', dir);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`2 migration(s) pending: ${pending.join(', ')}`);
    expect(migrationRows(dir)).toBe(known.length - 2);

    const run = await runCliCaptured('migrate', '--data', dir);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`applied 2 migration(s): ${pending.join(', ')}; now at ${known.at(-1)!.tag}`);
    expect(migrationRows(dir)).toBe(known.length);
    // The data directory is not left locked.
    expect(existsSync(join(dir, 'salve.pid'))).toBe(false);

    const again = await runCliCaptured('migrate', '--check', '--data', dir);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`up to date (${known.length} migrations, the latest ${known.at(-1)!.tag})`);
  });

  it('creates the database when there is none (and --check says there is none)', async () => {
    const dir = tempDir();
    const check = await runCliCaptured('migrate', '--check', '--data', dir);
    expect(check.code).toBe(1);
    expect(check.err).toContain('no database at');
    expect(existsSync(join(dir, 'salve.db'))).toBe(false);
    const run = await runCliCaptured('migrate', '--data', dir);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`applied ${known.length} migration(s)`);
  });

  it('refuses while a server holds the data directory', async () => {
    const dir = olderDataDir(1);
    // The pid file of a live process (this one's parent: alive, and not this process).
    writeFileSync(join(dir, 'salve.pid'), `${process.ppid}\n`);
    const run = await runCliCaptured('migrate', '--data', dir);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`Salve (process ${process.ppid}) is running on ${dir}: stop it first`);
    expect(migrationRows(dir)).toBe(known.length - 1);
  });

  it('refuses a database a newer Salve upgraded, and so does serve, without changing it', async () => {
    const dir = newerDataDir();
    const run = await runCliCaptured('migrate', '--data', dir);
    expect(run.code).toBe(1);
    expect(run.err).toContain('was upgraded by a newer Salve');
    expect(run.err).toContain(`knows up to ${known.at(-1)!.tag}`);
    expect(() => new SqliteStore(join(dir, 'salve.db'))).toThrow(SchemaTooNewError);
    expect(migrationRows(dir)).toBe(known.length + 1);
    const doctor = await runCliCaptured('doctor', '--data', dir);
    expect(doctor.code).toBe(1);
    expect(doctor.err).toContain('was upgraded by a newer Salve');
  });

  it('doctor names the schema: up to date, or what is pending (pending is not a failure)', async () => {
    const older = olderDataDir(1);
    const behind = await runCliCaptured('doctor', '--data', older);
    expect(behind.code).toBe(0);
    expect(behind.out).toContain(`schema at ${known.at(-2)!.tag}, 1 migration(s) pending`);
    const current = tempDir();
    openStore(current).close();
    const ok = await runCliCaptured('doctor', '--data', current);
    expect(ok.out).toContain(`schema up to date (${known.length} migrations, the latest ${known.at(-1)!.tag})`);
  });
});

describe('commands that work beside a running server', () => {
  it('do not migrate an older database: salve users and salve secrets ask for salve migrate first', async () => {
    const dir = olderDataDir(1);
    const users = await runCliCaptured('users', 'list', '--data', dir);
    expect(users.code).toBe(1);
    expect(users.err).toContain(`is older than this Salve: 1 migration(s) pending (${known.at(-1)!.tag})`);
    expect(users.err).toContain('salve migrate');
    const secrets = await runCliCaptured('secrets', 'list', '--data', dir);
    expect(secrets.code).toBe(1);
    expect(secrets.err).toContain('is older than this Salve');
    expect(migrationRows(dir)).toBe(known.length - 1);
  });
});
