/**
 * How the store reacts to SQLite errors: which ones pass by themselves (retry), which do not
 * (give up), and how long to wait between attempts. Pure functions, so the policy can be read
 * and tested in one place; db.ts applies it.
 */

/**
 * - `busy`: another connection holds the write lock (an outside tool: the writer is in-process).
 *   Passes when that tool commits; worth retrying quickly.
 * - `io`: the disk is full or an I/O call failed. May pass when an operator frees space or the
 *   device recovers; retried slowly by writes that must not be lost, refused at once otherwise.
 * - `fatal`: the file is not a database, is corrupt, or cannot be opened. Never passes by
 *   itself; retrying would only spin.
 * - `other`: not a storage problem (a constraint, a bug, a typed SalveError from the write).
 */
export type StorageErrorKind = 'busy' | 'io' | 'fatal' | 'other';

/** The SQLite result code of `error` (`SQLITE_BUSY`, `SQLITE_IOERR_WRITE`…), if it has one. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Classifies a thrown value (see StorageErrorKind). */
export function storageErrorKind(error: unknown): StorageErrorKind {
  const code = sqliteCode(error);
  if (!code) return 'other';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_PROTOCOL') return 'busy';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_NOMEM') return 'io';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return 'fatal';
  }
  return 'other';
}

/** True when the database file itself is unusable (not SQLite, corrupt): the operator must act. */
export function isUnusableDatabase(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * How long writes wait, per kind of write.
 * - `request`: a caller is waiting on the line (a webhook sender, an API client). It waits
 *   briefly through a lock, then fails with the storage error (503 + Retry-After: the sender
 *   retries); disk and I/O errors fail at once.
 * - `eventually`: engine-internal writes whose loss would leave an execution stuck or its side
 *   effect unrecorded (a step's outcome, claims, timers). Retried for as long as the store is
 *   open, on busy and I/O errors alike; only `fatal`/`other` errors reject.
 */
export type WritePolicy = 'request' | 'eventually';

/** How long a `request` write waits through a lock before it fails. */
export const REQUEST_PATIENCE_MS = 1000;

/** Whether a write under `policy` is attempted again after an error of `kind`. */
export function shouldRetry(policy: WritePolicy, kind: StorageErrorKind): boolean {
  if (kind === 'busy') return true;
  return kind === 'io' && policy === 'eventually';
}

/** Delays between attempts: short while a lock is likely brief, capped so a long lock costs little. */
const BACKOFF = {
  busy: { firstMs: 5, maxMs: 250 },
  io: { firstMs: 100, maxMs: 5000 },
} as const;

/**
 * The delay before attempt `failures + 1` after `failures` consecutive failed attempts (1, 2,
 * …): doubling from the kind's first delay up to its cap, with ±25 % jitter so that two
 * processes contending for one lock do not retry in step.
 */
export function backoffMs(kind: 'busy' | 'io', failures: number, random: () => number = Math.random): number {
  const { firstMs, maxMs } = BACKOFF[kind];
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  return Math.round(base * (0.75 + random() * 0.5));
}
