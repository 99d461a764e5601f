import type { SqliteStore } from './db.js';
import { onExecutionEnded, onExecutionHeld, type ExecutionEndListener, type ExecutionHeldListener } from './execution-ends.js';
import { sqliteTx, type QueuedRun, type StoreTx } from './tx.js';

/** How the database takes writes, for /healthz: `locked` (SQLite: another program holds the file), `failing` (the last writes failed). */
export type WriteState = 'ok' | 'locked' | 'failing';
/** How the run queue is doing, for /healthz: SQLite's is its executions table (its database's state); PostgreSQL's is pg-boss. */
export type QueueState = 'ok' | 'failing';

/**
 * How the engine runs its transactions, whichever database holds its state: `write` for a
 * caller waiting on the line (a webhook, an API request; on trouble it gives up soon and the
 * caller answers 503), `writeEventually` for the engine's own state (retried until it commits or
 * the store closes). The function gets a StoreTx and must be re-runnable (pure over the
 * transaction): both engines may run it again after a failed attempt.
 *
 * On SQLite (`sqliteStore`) these are the group commit's `write` and `writeEventually`; on
 * PostgreSQL `PostgresStore` (runtime/store/pg/store.ts) runs each in a pool transaction.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Reads outside a write (what is committed; on SQLite the connection also sees a batch being written). */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  writeEventually<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Up to `limit` queued runs for this process to claim (in a write, then `tx.runQueue.taken`).
   * SQLite reads the oldest queued rows not in `exclude` (those this process runs). PostgreSQL
   * fetches pg-boss jobs: each is handed to one process, and comes back after its expiry if that
   * process dies before the claim commits; `exclude` does not apply (a claim finds such a run not queued).
   */
  takeQueued(limit: number, exclude: ReadonlySet<string>): Promise<QueuedRun[]>;
  /** Resolves once no write of this process is queued or running (tests; Engine.idle). */
  idle(): Promise<void>;
  /** True while a write of this process is queued, running or being retried. */
  readonly busy: boolean;
  readonly writeState: WriteState;
  readonly queueState: QueueState;
  /** Calls `listener` with each COMMIT's duration (the metrics); returns the unsubscribe. */
  onCommit(listener: (seconds: number) => void): () => void;
  /** Calls `listener` for each run this process ends from now on, once that change committed. */
  onExecutionEnded(listener: ExecutionEndListener): () => void;
  /** Calls `listener` for each run this process creates held from now on, once that write committed. */
  onExecutionHeld(listener: ExecutionHeldListener): () => void;
}

/** One adapter per SQLite store: the engine parts that hold a Store share it. */
const adapters = new WeakMap<SqliteStore, Store>();

/** The SQLite store as a Store: each function runs in the group commit through `sqliteTx`. */
export function sqliteStore(store: SqliteStore): Store {
  let adapter = adapters.get(store);
  if (!adapter) {
    adapter = {
      engine: 'sqlite',
      read: (fn) => fn(sqliteTx(store.db)),
      write: (fn) => store.write((db) => fn(sqliteTx(db))),
      writeEventually: (fn) => store.writeEventually((db) => fn(sqliteTx(db))),
      takeQueued: async (limit, exclude) => (await sqliteTx(store.db).executions.nextQueued(limit, exclude)).map((executionId) => ({ executionId })),
      idle: () => store.idle(),
      get busy() {
        return store.busy;
      },
      get writeState() {
        return store.writeState;
      },
      get queueState() {
        return store.writeState === 'ok' ? 'ok' : 'failing';
      },
      onCommit: (listener) => store.onCommit((seconds) => listener(seconds)),
      onExecutionEnded: (listener) => onExecutionEnded(store.db, listener),
      onExecutionHeld: (listener) => onExecutionHeld(store.db, listener),
    };
    adapters.set(store, adapter);
  }
  return adapter;
}
