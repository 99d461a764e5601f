import type { Store } from '../../store/store.js';
import type { Logger } from '../../log.js';
import { BatchRetention } from '../batch-retention.js';
import type { Clock } from '../clock.js';

export interface RetentionOptions {
  /** Events older than this many days are deleted. */
  days: number;
  /** Events deleted per write (each its own transaction, so other writes never wait long). */
  batchSize?: number;
  /** Batches per run at most; what is left is deleted by the next run. */
  maxBatchesPerRun?: number;
  /** How often it runs. */
  intervalMs?: number;
}

/**
 * Deletes old events in small batches every few minutes. Executions keep their own copy of
 * the alert, so they stay complete when their event is gone (their `eventId` then names an
 * expired event).
 */
export class EventRetention extends BatchRetention {
  constructor(store: Store, clock: Clock, log: Logger, options: RetentionOptions) {
    super(
      store,
      clock,
      log,
      { name: 'event retention', rows: 'old events', deleteBatch: (tx, cutoff, limit) => tx.events.deleteReceivedBefore(cutoff, limit) },
      {
        days: options.days,
        batchSize: options.batchSize ?? 500,
        maxBatchesPerRun: options.maxBatchesPerRun ?? 200,
        intervalMs: options.intervalMs ?? 5 * 60_000,
        firstRunMs: 10_000,
      },
    );
  }
}
