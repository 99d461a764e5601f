import { basename, dirname } from 'node:path';
import { isUnusableDatabase, sqliteCode } from './retry.js';

/**
 * The database file exists but is not a SQLite database or is corrupt. Its message is meant to
 * be printed as is, without a stack trace: it names the file and says what to do.
 */
export class UnusableDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly sqliteMessage: string,
  ) {
    const name = basename(file);
    super(
      `the database ${file} is not a SQLite database or is corrupt (${sqliteMessage}).\n` +
        `  Stop Salve, then either restore ${name} from your backup (delete ${name}-wal and ${name}-shm when you do),\n` +
        `  or move ${name}, ${name}-wal and ${name}-shm out of ${dirname(file)} to start with an empty database.\n` +
        `  "salve doctor --data ${dirname(file)}" checks a database without changing it.`,
    );
    this.name = 'UnusableDatabaseError';
  }
}

/**
 * Turns an error met while opening or first using the database at `file` into one an operator
 * can act on; returns other errors unchanged.
 */
export function explainOpenError(file: string, error: unknown): unknown {
  if (error instanceof UnusableDatabaseError) return error;
  if (isUnusableDatabase(error)) return new UnusableDatabaseError(file, (error as Error).message);
  if (sqliteCode(error)?.startsWith('SQLITE_CANTOPEN')) {
    return new Error(`cannot open the database ${file}: ${(error as Error).message} (is it a directory, or is ${dirname(file)} not writable?)`);
  }
  return error;
}
