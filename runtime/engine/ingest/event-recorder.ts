import { HTTP_STATUS, SalveError, type ErrorCode } from '../../../shared/errors.js';
import type { IngestRequest } from '../../../nodes/source-adapter.js';
import type { SqliteStore } from '../../store/db.js';
import { eventsRepo } from '../../store/events-repo.js';
import { newId } from '../../store/ids.js';
import type { Logger } from '../../log.js';
import { refsFor, refusedEventRow, type DeliveryTrace } from './event-rows.js';
import type { HookRoute } from './hook-router.js';
import { RefusalLimiter, REFUSALS_PER_PATH_PER_MINUTE } from './refusal-limiter.js';

/** The refusals the event log records: the caller was answered 400, 401, 415 or 422. */
const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unauthorized', 'bad_request', 'unsupported_media_type', 'validation_failed']);

/**
 * Writes refused deliveries (rejected, invalid) to the event log in their own small write,
 * after the answer is decided: it never delays the answer and never changes it (a storage
 * failure here is logged, and the 401 stays a 401).
 */
export class EventRecorder {
  private readonly limiter: RefusalLimiter;
  /** Event-log writes queued and not yet settled (committed, or failed and logged). */
  private readonly writing = new Set<Promise<unknown>>();

  constructor(
    private readonly store: SqliteStore,
    private readonly log: Logger,
    limiter?: RefusalLimiter,
  ) {
    this.limiter = limiter ?? new RefusalLimiter();
  }

  /**
   * Records `error` (when it is a refusal: 400, 401, 415, 422) for a delivery to `path`.
   * Returns the promise of the write for tests; callers do not wait for it. Never rejects.
   */
  recordRefusal(input: {
    path: string;
    now: number;
    request: IngestRequest;
    routes: readonly HookRoute[];
    trace: DeliveryTrace;
    error: unknown;
    /** The HTTP request's id, for the log lines. */
    reqId?: string;
  }): Promise<string | undefined> {
    try {
      const { error, path, now, reqId } = input;
      if (!(error instanceof SalveError) || !REFUSAL_CODES.has(error.code)) return Promise.resolve(undefined);
      const admitted = this.limiter.admit(path, now);
      if (admitted.closedWindowDropped > 0) {
        this.log.warn({ reqId, path, notStored: admitted.closedWindowDropped }, 'refused webhook deliveries over the per-minute cap were counted, not stored');
      }
      if (!admitted.store) {
        if (admitted.firstDrop) {
          this.log.warn({ reqId, path, perMinute: REFUSALS_PER_PATH_PER_MINUTE }, 'too many refused webhook deliveries on this path: the rest of this minute is counted, not stored');
        }
        return Promise.resolve(undefined);
      }
      const base = { id: newId('ev', now), now, path, request: input.request, routes: input.routes, trace: input.trace };
      const row = refusedEventRow(base, error, HTTP_STATUS[error.code], admitted.suppressed);
      const refs = refsFor(input.routes);
      const written = this.store.write((db) => eventsRepo.insert(db, row, refs)).then(
        () => row.id,
        (err: unknown) => {
          this.log.error({ err, reqId, path, outcome: row.outcome }, 'could not record a refused webhook delivery in the event log');
          return undefined;
        },
      );
      this.writing.add(written);
      void written.finally(() => this.writing.delete(written));
      return written;
    } catch (err) {
      this.log.error({ err, reqId: input.reqId, path: input.path }, 'could not record a refused webhook delivery in the event log');
      return Promise.resolve(undefined);
    }
  }

  /** True while an event-log write is queued and not yet settled. */
  get busy(): boolean {
    return this.writing.size > 0;
  }

  /**
   * Resolves once every event-log write queued so far has settled (committed, or failed and
   * logged), including any queued meanwhile (see Engine.idle). Never rejects.
   */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }
}
