import type { SqliteStore } from '../../store/db.js';
import { eventsRepo } from '../../store/events-repo.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';

const DAY_MS = 24 * 3600 * 1000;

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
export class EventRetention {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: SqliteStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: RetentionOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatches = options.maxBatchesPerRun ?? 200;
    this.intervalMs = options.intervalMs ?? 5 * 60_000;
  }

  /** Runs once soon after start, then every `intervalMs`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    const tick = () => void this.runOnce();
    setTimeout(tick, 10_000).unref();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what has expired, batch by batch; resolves with how many events were deleted. Never rejects. */
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
        const n = await this.store.write((db) => eventsRepo.deleteReceivedBefore(db, cutoff, this.batchSize));
        deleted += n;
        if (n < this.batchSize) break;
      }
    } catch (err) {
      this.log.warn({ err, deleted }, 'event retention: could not delete old events; retrying at the next run');
    }
    if (deleted > 0) this.log.info({ deleted, olderThanDays: this.options.days }, 'event retention: deleted old events');
    return deleted;
  }
}
