import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { databaseFiles } from './store/files.js';
import { migrationsFolder } from './store/db.js';
import { explainOpenError } from './store/open-errors.js';
import { knownMigrations, schemaState, SchemaTooNewError } from './store/schema-version.js';

/** What `salve doctor` found: lines to print, and whether the database is usable. */
export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

/** Integrity problems listed at most (SQLite can report thousands for one damaged page run). */
const MAX_PROBLEMS = 20;

/**
 * Checks `<dataDir>/salve.db` without changing it: that it is a SQLite database, that SQLite's
 * `integrity_check` passes, which migrations it has, and that the database files are private
 * (0600). Safe while Salve runs (it only reads).
 */
export function checkDataDir(dataDir: string): DoctorReport {
  const file = join(dataDir, 'salve.db');
  if (!existsSync(file)) return { ok: false, lines: [`no database at ${file} (Salve creates it at its first start)`] };
  const lines: string[] = [];
  let ok = true;
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    const problems = sqlite.pragma(`integrity_check(${MAX_PROBLEMS})`, { simple: false }) as { integrity_check: string }[];
    const messages = problems.map((p) => p.integrity_check);
    if (messages.length === 1 && messages[0] === 'ok') lines.push(`${file}: integrity check ok`);
    else {
      ok = false;
      lines.push(`${file}: integrity check FAILED:`, ...messages.map((m) => `  ${m}`));
      lines.push('  Stop Salve and restore the database from your backup, or move it aside to start with an empty one.');
    }
    const known = knownMigrations(migrationsFolder());
    const schema = schemaState(sqlite, known);
    if (schema.newerThanBuild !== undefined) {
      ok = false;
      lines.push(new SchemaTooNewError(file, schema.newerThanBuild, known).message);
    } else if (schema.pending.length > 0) {
      lines.push(`${file}: schema at ${schema.current?.tag ?? 'none'}, ${schema.pending.length} migration(s) pending (salve serve or salve migrate applies them)`);
    } else lines.push(`${file}: schema up to date (${schema.applied} migrations, the latest ${schema.current?.tag})`);
  } catch (error) {
    const explained = explainOpenError(file, error);
    return { ok: false, lines: [explained instanceof Error ? explained.message : String(explained)] };
  } finally {
    sqlite?.close();
  }
  for (const f of databaseFiles(file)) {
    if (!existsSync(f)) continue;
    const mode = statSync(f).mode & 0o777;
    if (mode !== 0o600) lines.push(`${f}: mode ${mode.toString(8).padStart(4, '0')}, expected 0600 (Salve fixes this at its next start)`);
  }
  return { ok, lines };
}
