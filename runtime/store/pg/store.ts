import type pg from 'pg';
import type { Logger } from '../../log.js';
import type { ExecutionEndListener, ExecutionHeldListener } from '../execution-ends.js';
import type { QueueState, Store, WriteState } from '../store.js';
import type { QueuedRun, StoreTx } from '../tx.js';
import { type PostgresPool, PostgresUnavailableError } from './pool.js';
import type { RunQueue } from './run-queue.js';
import { pgTx, type RunNotes } from './tx.js';

/** Engine writes wait this long between attempts while PostgreSQL is unreachable (at most). */
const EVENTUAL_BACKOFF_MAX_MS = 5_000;

/** The store was closed (shutdown) before an engine write could commit. */
class PostgresStoreClosedError extends Error {
  constructor() {
    super('store is closed');
    this.name = 'PostgresStoreClosedError';
  }
}

/**
 * The Store of the PostgreSQL engine: each function runs in one pool transaction (PostgresPool:
 * lost races re-run, a lost connection is an UnavailableError). A `write` fails with that 503 at
 * once; a `writeEventually` waits and tries again, with a growing pause, until PostgreSQL is back
 * or the store closes: the engine's own state is never dropped because the database was away.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private closed = false;
  /** Writes of this process started and not yet settled (Engine.idle waits for none). */
  private inFlight = 0;
  private settled: (() => void)[] = [];
  /** Whether the last write that settled failed because PostgreSQL was away (healthz: failing). */
  private failing = false;
  private readonly endListeners = new Set<ExecutionEndListener>();
  private readonly heldListeners = new Set<ExecutionHeldListener>();

  constructor(
    private readonly pool: PostgresPool,
    private readonly queue: RunQueue,
    private readonly log?: Logger,
  ) {}

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new PostgresStoreClosedError());
    return this.pool.read((client) => fn(pgTx(client, this.queue)));
  }

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new PostgresStoreClosedError());
    return this.tracked(() => this.commit(fn));
  }

  /**
   * One transaction; what it noted for the metrics (runs ended or held) is reported once it
   * committed. The pool may run `fn` more than once (a lost race): each attempt starts with no notes.
   */
  private async commit<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    let noted: (() => void)[] = [];
    const notes: RunNotes = {
      ended: (flowId, status) => noted.push(() => this.tell(this.endListeners, flowId, status)),
      held: (flowId, limit) => noted.push(() => this.tell(this.heldListeners, flowId, limit)),
    };
    const result = await this.pool.transaction((client: pg.PoolClient) => {
      noted = [];
      return fn(pgTx(client, this.queue, notes));
    });
    for (const report of noted) report();
    return result;
  }

  private tell<A extends string, B extends string>(listeners: Set<(a: A, b: B) => void>, a: A, b: B): void {
    for (const listener of listeners) {
      try {
        listener(a, b);
      } catch (error) {
        // A metrics listener's bug must not fail a write that has committed.
        this.log?.error({ err: error }, 'a commit listener failed');
      }
    }
  }

  /** Counts `write` in flight for idle()/busy, and remembers whether PostgreSQL was away for writeState. */
  private async tracked<T>(write: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      const result = await write();
      this.failing = false;
      return result;
    } catch (error) {
      if (error instanceof PostgresUnavailableError) this.failing = true;
      throw error;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.settled.splice(0)) resolve();
    }
  }

  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.settled.push(resolve));
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** pg-boss: `failing` from a fetch or upkeep that found PostgreSQL away until a fetch succeeds. */
  get queueState(): QueueState {
    return this.queue.state;
  }

  /** `failing` from a write that found PostgreSQL away until one commits again. */
  get writeState(): WriteState {
    return this.failing ? 'failing' : 'ok';
  }

  onCommit(listener: (seconds: number) => void): () => void {
    return this.pool.onCommit(listener);
  }

  onExecutionEnded(listener: ExecutionEndListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  onExecutionHeld(listener: ExecutionHeldListener): () => void {
    this.heldListeners.add(listener);
    return () => this.heldListeners.delete(listener);
  }

  /** pg-boss jobs (see Store.takeQueued); PostgreSQL being away is an UnavailableError, as for reads. */
  async takeQueued(limit: number): Promise<QueuedRun[]> {
    if (this.closed) throw new PostgresStoreClosedError();
    return this.queue.fetch(limit);
  }

  writeEventually<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // Tracked as one write while it waits for PostgreSQL, so idle() waits for it too.
    return this.tracked(() => this.retried(fn));
  }

  private async retried<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new PostgresStoreClosedError();
      try {
        return await this.commit(fn);
      } catch (error) {
        // Only PostgreSQL being away passes by waiting; the engine's own refusals (a full queue) do not.
        if (!(error instanceof PostgresUnavailableError)) throw error;
        this.failing = true;
        if (attempt === 1) this.log?.warn({ err: error }, 'PostgreSQL is unavailable; engine writes wait and are retried');
        await new Promise((resolve) => setTimeout(resolve, Math.min(EVENTUAL_BACKOFF_MAX_MS, 50 * 2 ** attempt)));
      }
    }
  }

  /** Rejects writes from now on; writes being retried stop at their next attempt. */
  close(): void {
    this.closed = true;
  }
}
