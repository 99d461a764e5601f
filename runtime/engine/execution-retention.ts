import type { SqliteStore } from '../store/db.js';
import { executionsRepo } from '../store/executions-repo.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';

const DAY_MS = 24 * 3600 * 1000;

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
export class ExecutionRetention {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: SqliteStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: ExecutionRetentionOptions,
  ) {
    // Smaller than the event log's batch: one execution can have many steps.
    this.batchSize = options.batchSize ?? 100;
    this.maxBatches = options.maxBatchesPerRun ?? 200;
    this.intervalMs = options.intervalMs ?? 5 * 60_000;
  }

  /** Runs once soon after start, then every `intervalMs`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    const tick = () => void this.runOnce();
    setTimeout(tick, 15_000).unref();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what has expired, batch by batch; resolves with how many executions were deleted. Never rejects. */
  runOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const cutoff = this.clock.now() - this.options.days * DAY_MS;
    let deleted = 0;
    try {
      for (let i = 0; i < this.maxBatches; i++) {
        const n = await this.store.write((db) => executionsRepo.deleteFinishedBefore(db, cutoff, this.batchSize));
        deleted += n;
        if (n < this.batchSize) break;
      }
    } catch (err) {
      this.log.warn({ err, deleted }, 'execution retention: could not delete old executions; retrying at the next run');
    }
    if (deleted > 0) this.log.info({ deleted, olderThanDays: this.options.days }, 'execution retention: deleted finished executions');
    return deleted;
  }
}
