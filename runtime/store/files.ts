import { chmodSync, closeSync, constants, openSync } from 'node:fs';

/** The database and the two files SQLite keeps beside it in WAL mode. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * Makes the database owner-only (0600) before SQLite opens it: creates the file itself when it
 * is missing (SQLite would create it with the process umask, 0644 by default), and narrows an
 * existing `salve.db`, `-wal` and `-shm` left readable by an older Salve or a restore. SQLite
 * gives the `-wal` and `-shm` files it creates later the database file's mode, so they are 0600
 * too. Throws a plain message when a file cannot be made private (e.g. owned by another user).
 */
export function ensurePrivateDatabaseFiles(file: string): void {
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotSecure(file, error);
  }
  for (const f of databaseFiles(file)) {
    try {
      chmodSync(f, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotSecure(f, error);
    }
  }
}

function cannotSecure(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new Error(`cannot make ${file} private (mode 0600): ${code}; run Salve as the user that owns the data directory`);
}
