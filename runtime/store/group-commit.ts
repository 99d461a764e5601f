import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { backoffMs, REQUEST_PATIENCE_MS, shouldRetry, storageErrorKind, type WritePolicy } from './retry.js';

/**
 * A write function: runs inside an open transaction; may run again if its commit failed. It may
 * be async (the engine's operations written once for SQLite and PostgreSQL are), but then it must
 * await only this database: the write transaction stays open while it waits, and every other
 * write of the process waits behind it (see GroupCommit, "Async write functions").
 */
type WriteFn<D> = (db: D) => unknown;

/** What one write came to: its value, or its error (then `ok` is false), and its afterCommit effects. */
interface WriteOutcome {
  ok: boolean;
  value: unknown;
  effects?: (() => void)[];
}

interface PendingWrite<D> {
  fn: WriteFn<D>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  policy: WritePolicy;
  /** `request` writes: the last moment they may still be attempted. */
  giveUpAt: number;
}

/** The store was closed (shutdown) before the write could commit. */
export class StoreClosedError extends Error {
  constructor(cause?: unknown) {
    super(cause instanceof Error ? `store is closed (last attempt: ${cause.message})` : 'store is closed', { cause });
    this.name = 'StoreClosedError';
  }
}

/** Where the writer is: transaction number and write number inside it (see QueueCap). */
export interface TxPosition {
  tx: number;
  write: number;
}

/** What the write running now asked to do once it commits (see afterCommit); undefined outside a queued write. */
let pendingEffects: (() => void)[] | undefined;

/**
 * Runs `effect` once the write running now has committed, and never if it rolls back (it may
 * then run again and ask again). Outside a queued write (boot, `writeNow`) it runs at once.
 * For what must only count committed changes, such as metrics; an effect must not throw.
 */
export function afterCommit(effect: () => void): void {
  if (pendingEffects) pendingEffects.push(effect);
  else effect();
}

/** Log a persisting storage problem again after this long. */
const TROUBLE_LOG_EVERY_MS = 30_000;

/** An async write that kept the transaction open across an event-loop turn for longer than this is logged. */
const HOLD_LOGGED_AFTER_MS = 50;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The single writer of one SQLite connection, with group commit and retries.
 *
 * Group commit: the writes queued during one event-loop turn run in ONE `BEGIN IMMEDIATE …
 * COMMIT` (one fsync for many requests, `synchronous=FULL` kept), each in its own savepoint so a
 * failing write rolls back alone; promises resolve only after COMMIT returned.
 *
 * Retries: when the transaction cannot begin or commit (another process holds the lock, the disk
 * is full, an I/O call failed), nothing of the batch is kept and the writes are attempted again
 * after an asynchronous backoff — never by blocking the event loop: each attempt waits at most
 * the connection's short busy_timeout. Which writes retry, and for how long, is their policy
 * (retry.ts). Write functions must therefore be re-runnable: pure over the transaction.
 *
 * Async write functions: a write that returns a promise is awaited before the next write of the
 * batch runs, and the batch's COMMIT waits for it; one attempt runs at a time. Synchronous writes
 * run exactly as before, without giving up the event loop, so a batch of them is still one turn.
 * An async write's awaits on this database settle as microtasks, so the transaction stays short;
 * but other code's microtasks may run in between, and a read on this connection then sees the
 * batch's uncommitted rows (which a later failure can still roll back). Nothing acts on such a
 * read without a write of its own, which waits for this batch and finds the committed truth.
 * A write that waits for anything else (a timer, the network) holds the write lock that long:
 * that is logged as an error (HOLD_LOGGED_AFTER_MS), as a bug to fix, not a load to tune.
 */
export class GroupCommit<D> {
  private queue: PendingWrite<D>[] = [];
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private closed = false;
  /** Consecutive failed attempts (0 = healthy). */
  private failures = 0;
  /** The last failure while writes are being retried. */
  private trouble: { kind: 'busy' | 'io'; error: unknown } | undefined;
  private troubleSince: number | undefined;
  private troubleLoggedAt = 0;
  private readonly pos: TxPosition = { tx: 0, write: 0 };
  /** Callers of idle() waiting for the queue to empty. */
  private idleWaiters: (() => void)[] = [];
  /** True while an attempt waits for an async write (then no other attempt may start). */
  private attempting = false;
  readonly stats = { commits: 0, writes: 0, commitMs: 0, failedAttempts: 0 };
  /** Told of each successful COMMIT: how long it took (seconds) and how many writes it carried (metrics). */
  readonly commitListeners = new Set<(seconds: number, writes: number) => void>();
  /**
   * The transaction statements, prepared once: `exec` would compile them again for every write
   * (a savepoint and its release per write were ~10% of the ingest path's CPU).
   */
  private readonly tx: Record<'begin' | 'commit' | 'savepoint' | 'release' | 'rollbackTo', Database.Statement>;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: D,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.tx = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      savepoint: sqlite.prepare('SAVEPOINT w'),
      release: sqlite.prepare('RELEASE w'),
      rollbackTo: sqlite.prepare('ROLLBACK TO w'),
    };
  }

  /** Queues `fn`; resolves with its result once committed (see WritePolicy for when it gives up). */
  enqueue<T>(fn: (db: D) => T | Promise<T>, policy: WritePolicy): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    // The disk is full or failing: a caller on the line gets its 503 at once instead of waiting
    // for the next (slow) retry. That retry tells when it passed; requests then go through again.
    if (policy === 'request' && this.trouble?.kind === 'io') return Promise.reject(this.trouble.error);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, policy, giveUpAt: this.now() + REQUEST_PATIENCE_MS });
      // While backing off, the write joins the next attempt instead of forcing one.
      if (!this.timer) this.timer = setImmediate(() => this.flush());
    });
  }

  /** Writes waiting for the next commit (used for backpressure). */
  get pending(): number {
    return this.queue.length;
  }

  /** True while a write is queued or running, or an attempt (or a retry after a failed one) is scheduled. */
  get busy(): boolean {
    return this.queue.length > 0 || this.timer !== undefined || this.attempting;
  }

  /**
   * Resolves once every write queued so far has settled (committed or rejected) and nothing is
   * left to retry: at once when nothing is queued. Writes still retrying keep it waiting, as
   * long as they do. Never rejects.
   */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** True while writes are failing and being retried (a lock, a full disk). */
  get inTrouble(): boolean {
    return this.trouble !== undefined;
  }

  /** Why writes are being retried: `busy` (another process holds the lock) or `io` (disk full, I/O error); undefined when healthy. */
  get troubleKind(): 'busy' | 'io' | undefined {
    return this.trouble?.kind;
  }

  get position(): Readonly<TxPosition> {
    return this.pos;
  }

  /** Marks a transaction run outside the queue (boot, maintenance), for `position`. */
  noteOutsideTransaction(): void {
    this.pos.tx++;
  }

  /** One last attempt at what is queued, then every write still waiting is rejected. */
  close(): void {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    this.closed = true;
    this.flush();
    for (const w of this.queue.splice(0)) w.reject(new StoreClosedError());
    this.notifyIdle();
  }

  private flush(): void {
    this.timer = undefined;
    // An attempt is waiting for an async write: it flushes again when it ends.
    if (this.attempting) return;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      this.attempting = true;
      const done = this.attempt(batch);
      if (done) {
        void done.then(() => this.attemptEnded());
        return;
      }
      this.attempting = false;
    }
    this.notifyIdle();
  }

  /** After an attempt that waited for an async write: the writes queued meanwhile go next. */
  private attemptEnded(): void {
    this.attempting = false;
    if (this.queue.length > 0 && !this.timer) {
      if (this.closed) for (const w of this.queue.splice(0)) w.reject(new StoreClosedError());
      else this.timer = setImmediate(() => this.flush());
    }
    this.notifyIdle();
  }

  /** Resolves the idle() callers once nothing is queued or scheduled. */
  private notifyIdle(): void {
    if (this.busy) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * One BEGIN … COMMIT for `batch`. Returns undefined when it ran to the end synchronously (no
   * write returned a promise), else a promise that resolves when it has ended (never rejects).
   */
  private attempt(batch: PendingWrite<D>[]): Promise<void> | undefined {
    this.pos.tx++;
    try {
      this.tx.begin.run();
    } catch (error) {
      this.failed(batch, error);
      return undefined;
    }
    const results: WriteOutcome[] = [];
    try {
      for (let i = 0; i < batch.length; i++) {
        const outcome = this.runOne(batch[i]!);
        if (outcome instanceof Promise) return this.attemptRest(batch, results, outcome, i);
        results.push(outcome);
      }
    } catch (error) {
      this.abandonBatch(batch, error);
      return undefined;
    }
    this.commit(batch, results);
    return undefined;
  }

  /** The rest of an attempt from the async write at `index` on: each write in turn, then COMMIT. */
  private async attemptRest(batch: PendingWrite<D>[], results: WriteOutcome[], pending: Promise<WriteOutcome>, index: number): Promise<void> {
    try {
      results.push(await pending);
      for (let i = index + 1; i < batch.length; i++) {
        const outcome = this.runOne(batch[i]!);
        results.push(outcome instanceof Promise ? await outcome : outcome);
      }
    } catch (error) {
      this.abandonBatch(batch, error);
      return;
    }
    this.commit(batch, results);
  }

  /** SQLite rolled the whole transaction back (disk full, I/O error), or a savepoint could not be handled: nothing of the batch is kept. */
  private abandonBatch(batch: PendingWrite<D>[], error: unknown): void {
    this.abandon();
    this.failed(batch, this.closed ? new StoreClosedError(error) : error);
  }

  /** COMMITs the open transaction and settles every write of `batch` by its outcome. */
  private commit(batch: PendingWrite<D>[], results: WriteOutcome[]): void {
    const commitStarted = performance.now();
    try {
      this.tx.commit.run();
    } catch (error) {
      this.abandonBatch(batch, error);
      return;
    }
    const commitMs = performance.now() - commitStarted;
    this.stats.commits++;
    this.stats.writes += batch.length;
    this.stats.commitMs += commitMs;
    for (const listener of this.commitListeners) listener(commitMs / 1000, batch.length);
    for (const r of results) if (r.ok) for (const effect of r.effects ?? []) effect();
    this.recovered();
    const again: PendingWrite<D>[] = [];
    let againError: unknown;
    batch.forEach((w, i) => {
      const r = results[i]!;
      if (r.ok) w.resolve(r.value);
      else if (!this.closed && shouldRetry(w.policy, storageErrorKind(r.value)) && this.patient(w)) {
        // The write's own statement hit a full disk or I/O error; the rest of the batch committed.
        again.push(w);
        againError = r.value;
      } else w.reject(r.value);
    });
    if (again.length > 0) this.retryLater(again, againError);
  }

  /**
   * Runs one write in its own savepoint. Its own error rolls back only its savepoint and is its
   * result; throws (or rejects) when the transaction itself is gone (SQLite rolled it back).
   * A write that returns a promise gives a promise of its outcome.
   */
  private runOne(w: PendingWrite<D>): WriteOutcome | Promise<WriteOutcome> {
    this.pos.write++;
    this.tx.savepoint.run();
    const effects: (() => void)[] = [];
    pendingEffects = effects;
    let value: unknown;
    try {
      value = w.fn(this.db);
    } catch (error) {
      pendingEffects = undefined;
      return this.rollbackOne(error);
    }
    if (isPromiseLike(value)) return this.settleAsync(value, effects);
    pendingEffects = undefined;
    this.tx.release.run();
    return { ok: true, value, effects };
  }

  /** Waits for an async write, keeping its afterCommit effects; logs it when it held the transaction across a turn. */
  private async settleAsync(pending: PromiseLike<unknown>, effects: (() => void)[]): Promise<WriteOutcome> {
    const started = performance.now();
    let turned = false;
    const sentinel = setImmediate(() => (turned = true));
    try {
      const value = await pending;
      pendingEffects = undefined;
      this.tx.release.run();
      return { ok: true, value, effects };
    } catch (error) {
      pendingEffects = undefined;
      return this.rollbackOne(error);
    } finally {
      clearImmediate(sentinel);
      const heldMs = performance.now() - started;
      if (turned && heldMs >= HOLD_LOGGED_AFTER_MS) {
        this.log?.error({ heldMs: Math.round(heldMs) }, 'a database write waited for something other than the database and held the write lock meanwhile (a bug)');
      }
    }
  }

  /** The write's own error: rolls back its savepoint and makes the error its outcome (throws when the transaction is gone). */
  private rollbackOne(error: unknown): WriteOutcome {
    if (!this.sqlite.open || !this.sqlite.inTransaction) throw error;
    this.tx.rollbackTo.run();
    this.tx.release.run();
    // A rolled-back write invalidates what later writes may have derived from this position.
    this.pos.write++;
    return { ok: false, value: error };
  }

  /** Rolls back the open transaction, if SQLite has not already. */
  private abandon(): void {
    if (!this.sqlite.open || !this.sqlite.inTransaction) return;
    try {
      this.sqlite.exec('ROLLBACK');
    } catch {
      // Nothing more to undo.
    }
  }

  /** Nothing of `writes` was committed because of `error`: retry those whose policy allows it. */
  private failed(writes: PendingWrite<D>[], error: unknown): void {
    const kind = storageErrorKind(error);
    const again = writes.filter((w) => {
      if (!shouldRetry(w.policy, kind) || !this.patient(w)) w.reject(error);
      else if (this.closed) w.reject(new StoreClosedError(error));
      else return true;
      return false;
    });
    this.stats.failedAttempts++;
    if (again.length > 0) {
      this.retryLater(again, error);
      return;
    }
    // Nothing is being retried, so nothing would notice the trouble passing: let the next write find out.
    this.trouble = undefined;
    if (this.queue.length > 0 && !this.timer && !this.closed) this.timer = setImmediate(() => this.flush());
  }

  private patient(w: PendingWrite<D>): boolean {
    return w.policy === 'eventually' || this.now() < w.giveUpAt;
  }

  private retryLater(writes: PendingWrite<D>[], error: unknown): void {
    const kind = storageErrorKind(error) === 'busy' ? 'busy' : 'io';
    this.failures++;
    this.trouble = { kind, error };
    this.noteTrouble(error, kind, writes.length);
    this.queue = [...writes, ...this.queue];
    if (this.timer || this.closed) return;
    const soonest = Math.min(...this.queue.filter((w) => w.policy === 'request').map((w) => w.giveUpAt - this.now()));
    // A request write is attempted once more at its deadline, so it fails no later than that.
    const delay = Math.max(1, Math.min(backoffMs(kind, this.failures), soonest));
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private noteTrouble(error: unknown, kind: 'busy' | 'io', waiting: number): void {
    const now = this.now();
    const code = (error as { code?: string }).code;
    if (this.troubleSince === undefined) {
      this.troubleSince = now;
      this.troubleLoggedAt = now;
      const message =
        kind === 'busy'
          ? 'database is locked by another process; writes wait and are retried (webhooks get 503 after 1 s)'
          : 'database write failed (disk full or I/O error); engine writes are retried, webhooks get 503';
      if (kind === 'busy') this.log?.warn({ code, waiting }, message);
      else this.log?.error({ code, err: error, waiting }, message);
      return;
    }
    if (now - this.troubleLoggedAt >= TROUBLE_LOG_EVERY_MS) {
      this.troubleLoggedAt = now;
      this.log?.error({ code, waiting, forMs: now - this.troubleSince }, 'database still cannot be written; engine writes keep being retried');
    }
  }

  private recovered(): void {
    if (this.troubleSince !== undefined) {
      this.log?.warn({ afterMs: this.now() - this.troubleSince, attempts: this.failures }, 'database writable again');
    }
    this.troubleSince = undefined;
    this.trouble = undefined;
    this.failures = 0;
  }
}
