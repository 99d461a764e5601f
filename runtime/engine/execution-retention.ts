import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { BatchRetention } from './batch-retention.js';
import type { Clock } from './clock.js';

export interface ExecutionRetentionOptions {
  /** Executions that finished more than this many days ago are deleted. */
  days: number;
  /** Executions deleted per write, with their steps and approvals (each its own transaction). */
  batchSize?: number;
  /** Batches per run at most; what is left is deleted by the next run. */
  maxBatchesPerRun?: number;
  /** How often it runs. */
  intervalMs?: number;
}

/**
 * Deletes finished executions (with their steps, approvals, decisions and used approval links)
 * in small batches every few minutes, so a flow that runs every second does not grow the
 * database forever. Queued, running and waiting runs are never touched. Their audit rows stay:
 * the audit trail is append-only and outlives what it describes.
 */
export class ExecutionRetention extends BatchRetention {
  constructor(store: Store, clock: Clock, log: Logger, options: ExecutionRetentionOptions) {
    super(
      store,
      clock,
      log,
      {
        name: 'execution retention',
        rows: 'finished executions',
        deleteBatch: (tx, cutoff, limit) => tx.executions.deleteFinishedBefore(cutoff, limit),
      },
      {
        days: options.days,
        // Smaller than the event log's batch: one execution can have many steps.
        batchSize: options.batchSize ?? 100,
        maxBatchesPerRun: options.maxBatchesPerRun ?? 200,
        intervalMs: options.intervalMs ?? 5 * 60_000,
        firstRunMs: 15_000,
      },
    );
  }
}
