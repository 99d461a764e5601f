import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';

export interface FailureLimiterOptions {
  /** Failures a key may have in one window; the next attempt is refused until the window ends. */
  max: number;
  windowMs: number;
  now?: () => number;
  /** Keys kept before ended windows are swept (bounds memory under many addresses). */
  maxKeys?: number;
  /**
   * Where the counts survive a restart: rows `<kind>:<key>` of the auth_failures table. Without
   * it they live in memory only (then a restart would hand an attacker a fresh budget).
   */
  persist?: { store: Store; kind: string; log: Logger };
}

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Counts failures per key (a client address) in a fixed window that starts at the first
 * failure. Once a key has `max` failures in its window it is refused until the window ends.
 *
 * Every check reads memory only, so a request from an address without failures costs one Map
 * lookup and no database access. Failures (and the first success after some) are written
 * through to the database, and the windows still open are read back at construction (`ready`):
 * a restart within a window resumes its count. Each failure is counted by the database in one
 * statement, which answers the count of every process sharing it (PostgreSQL behind a load
 * balancer): a process learns the others' failures at its own next failure, so behind N
 * processes a guesser gets at most `max` + N − 1 failures per window, not N × `max`.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  /** Settles once the persisted windows are read back (at once without `persist`); it never rejects. */
  readonly ready: Promise<void>;

  constructor(private readonly opts: FailureLimiterOptions) {
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.ready = opts.persist ? this.load(opts.persist) : Promise.resolve();
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Whole seconds until `key` may try again; 0 when it may try now. Reads memory only: check after `ready` to count the saved windows. */
  retryAfterSeconds(key: string): number {
    const w = this.windows.get(key);
    const now = this.now;
    if (!w || now >= w.endsAt || w.failures < this.opts.max) return 0;
    return Math.max(1, Math.ceil((w.endsAt - now) / 1000));
  }

  /**
   * Counts a failure for `key`; resolves once it is saved. A storage error is logged (with the
   * request's `reqId`) and the count in memory stands: the caller's answer (401) does not turn
   * into a 500.
   */
  async fail(key: string, reqId?: string): Promise<void> {
    // A failure counted before the saved windows are back would be replaced by them.
    await this.ready;
    const now = this.now;
    let w = this.windows.get(key);
    if (w && now < w.endsAt) {
      w.failures++;
    } else {
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      w = { failures: 1, endsAt: now + this.opts.windowMs };
      this.windows.set(key, w);
    }
    const persist = this.opts.persist;
    if (!persist) return;
    try {
      // The database counts atomically and answers the shared count: on PostgreSQL it includes
      // the failures the other processes saw, so this process refuses as soon as their sum is
      // over the limit. Its answer replaces the count in memory.
      const row = await persist.store.write((tx) => tx.authFailures.count(this.rowKey(key), now, this.opts.windowMs));
      w.failures = row.failures;
      w.endsAt = row.windowEndsAt;
    } catch (err) {
      persist.log.warn({ err, reqId, kind: persist.kind, key }, 'could not save a failed-authentication count; it is kept in memory');
    }
  }

  /** Forgets `key`'s failures (after a success). Free when it has none: no database write. */
  async reset(key: string, reqId?: string): Promise<void> {
    await this.ready;
    if (!this.windows.delete(key)) return;
    const rowKey = this.rowKey(key);
    await this.save((tx) => tx.authFailures.delete(rowKey), key, reqId);
  }

  private rowKey(key: string): string {
    return `${this.opts.persist?.kind ?? ''}:${key}`;
  }

  private async load(persist: NonNullable<FailureLimiterOptions['persist']>): Promise<void> {
    const now = this.now;
    const prefix = `${persist.kind}:`;
    try {
      for (const row of await persist.store.read((tx) => tx.authFailures.live(prefix, now, this.maxKeys))) {
        this.windows.set(row.key.slice(prefix.length), { failures: row.failures, endsAt: row.windowEndsAt });
      }
    } catch (err) {
      // Counting starts afresh rather than refusing every sign-in: the limit is a brake, not a lock.
      persist.log.warn({ err, kind: persist.kind }, 'could not read the saved failed-authentication counts; counting starts afresh');
    }
    void this.save((tx) => tx.authFailures.deleteEnded(now), '(ended windows)');
  }

  private async save(fn: (tx: StoreTx) => Promise<unknown>, key: string, reqId?: string): Promise<void> {
    const persist = this.opts.persist;
    if (!persist) return;
    try {
      await persist.store.write(fn);
    } catch (err) {
      persist.log.warn({ err, reqId, kind: persist.kind, key }, 'could not save a failed-authentication count; it is kept in memory');
    }
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.endsAt) this.windows.delete(key);
    void this.save((tx) => tx.authFailures.deleteEnded(now), '(ended windows)');
    // Still full: every window is live. Dropping them all keeps memory bounded; the limit is
    // per address, so an attacker with this many addresses gains little from the reset.
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
