import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';

const DAY_MS = 24 * 3600 * 1000;

/** What a retention deletes and how it names it in the log. */
export interface RetentionTarget {
  /** Deletes up to `limit` rows older than `cutoff` (ms) in one transaction; returns how many. */
  deleteBatch(tx: StoreTx, cutoff: number, limit: number): Promise<number>;
  /** e.g. `event retention`: the start of each log line. */
  name: string;
  /** e.g. `old events`: what the log says was deleted. */
  rows: string;
}

export interface BatchRetentionOptions {
  /** Rows older than this many days are deleted. */
  days: number;
  /** Rows deleted per write (each its own transaction, so other writes never wait long). */
  batchSize: number;
  /** Batches per run at most; what is left is deleted by the next run. */
  maxBatchesPerRun: number;
  /** How often it runs. */
  intervalMs: number;
  /** The first run, this long after start (staggered so two retentions do not start together). */
  firstRunMs: number;
}

/**
 * Deletes expired rows in small batches every few minutes, so a busy table never holds the
 * single writer for long. One run at a time; errors are logged and retried at the next run.
 */
export class BatchRetention {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly target: RetentionTarget,
    private readonly options: BatchRetentionOptions,
  ) {}

  /** Runs once soon after start, then every `intervalMs`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    const tick = () => void this.runOnce();
    setTimeout(tick, this.options.firstRunMs).unref();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what has expired, batch by batch; resolves with how many rows were deleted. Never rejects. */
  runOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const { days, batchSize, maxBatchesPerRun } = this.options;
    const cutoff = this.clock.now() - days * DAY_MS;
    let deleted = 0;
    try {
      for (let i = 0; i < maxBatchesPerRun; i++) {
        const n = await this.store.write((tx) => this.target.deleteBatch(tx, cutoff, batchSize));
        deleted += n;
        if (n < batchSize) break;
      }
    } catch (err) {
      this.log.warn({ err, deleted }, `${this.target.name}: could not delete ${this.target.rows}; retrying at the next run`);
    }
    if (deleted > 0) this.log.info({ deleted, olderThanDays: days }, `${this.target.name}: deleted ${this.target.rows}`);
    return deleted;
  }
}
