import type { Logger } from '../../log.js';
import type { Store } from '../store.js';
import type { QueuedRun, StoreTx } from '../tx.js';
import { type PostgresPool, PostgresUnavailableError } from './pool.js';
import type { RunQueue } from './run-queue.js';
import { pgTx } from './tx.js';

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
    return this.pool.transaction((client) => fn(pgTx(client, this.queue)));
  }

  /** pg-boss jobs (see Store.takeQueued); PostgreSQL being away is an UnavailableError, as for reads. */
  async takeQueued(limit: number): Promise<QueuedRun[]> {
    if (this.closed) throw new PostgresStoreClosedError();
    return this.queue.fetch(limit);
  }

  async writeEventually<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new PostgresStoreClosedError();
      try {
        return await this.write(fn);
      } catch (error) {
        // Only PostgreSQL being away passes by waiting; the engine's own refusals (a full queue) do not.
        if (!(error instanceof PostgresUnavailableError)) throw error;
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
