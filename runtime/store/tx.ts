import type { ExecutionStatus, WaitReason } from './schema.js';
import type { BreakerRow } from './breakers-repo.js';
import type { Db } from './db.js';
import { breakersRepo } from './breakers-repo.js';
import { eventsRepo, type EventRow } from './events-repo.js';
import { executionsRepo, type ExecutionRow, type NewExecution } from './executions-repo.js';
import { flowsRepo, type FlowRow } from './flows-repo.js';
import { stepsRepo } from './steps-repo.js';

/**
 * The database operations of the engine's transactions, the same on both engines, so that each
 * operation (a webhook delivery's commit, a run's admission…) is written once, async, and runs on
 * SQLite inside the group commit (`sqliteTx`, wrapping the synchronous repos) and on PostgreSQL
 * inside a pool transaction (`pgTx`, runtime/store/pg/tx.ts). Every method runs in the caller's
 * transaction. test/postgres/tx-contract.test.ts runs the same cases against both.
 *
 * It holds what the engine areas moved onto it so far need (ingest and run admission); the
 * others still call the SQLite repos directly, and move here one area at a time.
 */
export interface StoreTx {
  readonly engine: 'sqlite' | 'postgres';
  readonly events: {
    /** Inserts the event and its filter refs (`eventRef.flow(…)`, `eventRef.source(…)`). */
    insert(row: EventRow, refs?: readonly string[]): Promise<void>;
    /** Whether a delivery with this source delivery id already got through on `path` (refused ones do not count). */
    seenDelivery(path: string, deliveryId: string): Promise<boolean>;
  };
  readonly executions: {
    /**
     * Inserts unless the same flow already has this dedup key; true when inserted. A run inserted
     * `queued` is in the run queue once this transaction commits (SQLite: the table is the queue;
     * PostgreSQL: its pg-boss job is enqueued in this transaction).
     */
    insertIfNew(row: NewExecution): Promise<boolean>;
    /** The execution that already handled this dedup key in this flow, if any. */
    idByDedupKey(flowId: string, dedupKey: string): Promise<string | undefined>;
    /** The flow's newest runs an alert started for this fingerprint, newest first (flap protection). */
    latestAlertRuns(flowId: string, fingerprint: string, limit: number): Promise<ExecutionRow[]>;
    /** Sets `alertResolvedAt` on the flow's runs of this fingerprint that have none yet; their ids. */
    markAlertResolved(flowId: string, fingerprint: string, at: number): Promise<string[]>;
    /** How many runs of the flow that count against the limits were created at or after `since`. */
    countAdmittedSince(flowId: string, since: number): Promise<number>;
    /** The newest run of the flow that counts with this target key, created at or after `since`. */
    lastAdmittedForTarget(flowId: string, targetKey: string, since: number): Promise<{ id: string; createdAt: number } | undefined>;
    /** Active (queued, running, waiting) runs of the flow with this target key. */
    countActiveForTarget(flowId: string, targetKey: string): Promise<number>;
    /** The distinct target keys of the flow's runs that count, created at or after `since` (at most `limit`). */
    targetsSince(flowId: string, since: number, limit: number): Promise<string[]>;
    countByStatus(status: ExecutionStatus): Promise<number>;
  };
  readonly steps: {
    /** Wakes the steps of these runs waiting for `reason` (they continue at the next tick); how many. */
    wakeWaiting(executionIds: readonly string[], reason: WaitReason, now: number): Promise<number>;
  };
  readonly breakers: {
    get(flowId: string): Promise<BreakerRow | undefined>;
  };
  readonly flows: {
    /** The flow's current revision with its document parsed (throws StoredFlowError for a damaged one). */
    get(id: string): Promise<FlowRow | undefined>;
    /** The team that owns the flow now, or undefined when there is no such flow. */
    team(id: string): Promise<string | undefined>;
  };
}

/** One adapter per connection: the repos take the connection, the adapter holds it. */
const sqliteAdapters = new WeakMap<Db, StoreTx>();

/**
 * The SQLite side of StoreTx: the synchronous repos, answered as settled promises, so an async
 * operation's awaits stay microtasks inside the group commit's transaction.
 */
export function sqliteTx(db: Db): StoreTx {
  let tx = sqliteAdapters.get(db);
  if (tx) return tx;
  tx = {
    engine: 'sqlite',
    events: {
      insert: async (row, refs) => eventsRepo.insert(db, row, refs),
      seenDelivery: async (path, deliveryId) => eventsRepo.seenDelivery(db, path, deliveryId),
    },
    executions: {
      insertIfNew: async (row) => executionsRepo.insertIfNew(db, row),
      idByDedupKey: async (flowId, dedupKey) => executionsRepo.idByDedupKey(db, flowId, dedupKey),
      latestAlertRuns: async (flowId, fingerprint, limit) => executionsRepo.latestAlertRuns(db, flowId, fingerprint, limit),
      markAlertResolved: async (flowId, fingerprint, at) => executionsRepo.markAlertResolved(db, flowId, fingerprint, at),
      countAdmittedSince: async (flowId, since) => executionsRepo.countAdmittedSince(db, flowId, since),
      lastAdmittedForTarget: async (flowId, targetKey, since) => executionsRepo.lastAdmittedForTarget(db, flowId, targetKey, since),
      countActiveForTarget: async (flowId, targetKey) => executionsRepo.countActiveForTarget(db, flowId, targetKey),
      targetsSince: async (flowId, since, limit) => executionsRepo.targetsSince(db, flowId, since, limit),
      countByStatus: async (status) => executionsRepo.countByStatus(db, status),
    },
    steps: {
      wakeWaiting: async (executionIds, reason, now) => stepsRepo.wakeWaiting(db, executionIds, reason, now),
    },
    breakers: {
      get: async (flowId) => breakersRepo.get(db, flowId),
    },
    flows: {
      get: async (id) => flowsRepo.get(db, id),
      team: async (id) => flowsRepo.team(db, id),
    },
  };
  sqliteAdapters.set(db, tx);
  return tx;
}
