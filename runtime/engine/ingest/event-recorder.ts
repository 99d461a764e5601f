import type { IngestRequest } from '../../../nodes/source-adapter.js';
import { UnavailableError } from '../../../shared/errors.js';
import type { Store } from '../../store/store.js';
import { newId } from '../../store/ids.js';
import { storageErrorKind } from '../../store/retry.js';
import type { Logger } from '../../log.js';
import type { Scrubber } from '../secrets/scrub.js';
import { refsFor, refusalOf, refusedEventRow, type DeliveryTrace } from './event-rows.js';
import type { HookRoute } from './hook-router.js';
import { RefusalLimiter, REFUSALS_PER_PATH_PER_MINUTE } from './refusal-limiter.js';

/**
 * The limiter's key for every path no flow (enabled or disabled) names: they share ONE budget,
 * so probing random paths can neither fill the database nor grow the limiter's memory. Hook
 * paths are never empty, so this key is no real path.
 */
const UNKNOWN_PATHS_KEY = '';

/**
 * Writes refused deliveries (rejected, invalid, not_found, unavailable; see refusalOf) to the
 * event log in their own small write, after the answer is decided: it never delays the answer
 * and never changes it (a storage failure here is logged, and the 401 stays a 401).
 */
export class EventRecorder {
  private readonly limiter: RefusalLimiter;
  /** Event-log writes queued and not yet settled (committed, or failed and logged). */
  private readonly writing = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Every secret Salve holds, scrubbed from each row (see scrubbedEventRow). */
    private readonly scrubber: Scrubber,
    limiter?: RefusalLimiter,
  ) {
    this.limiter = limiter ?? new RefusalLimiter();
  }

  /**
   * Records `error` (when it is a refusal) for a delivery to `path`. `routes` are the source
   * nodes on the path (for a 404, those of its disabled flows, if any); `reason` replaces the one
   * made from the error. Returns the promise of the write for tests; callers do not wait for it.
   * Never rejects.
   */
  recordRefusal(input: {
    path: string;
    now: number;
    request: IngestRequest;
    routes: readonly HookRoute[];
    trace: DeliveryTrace;
    error: unknown;
    reason?: string;
    /** The HTTP request's id, for the log lines. */
    reqId?: string;
  }): Promise<string | undefined> {
    try {
      const { path, now, reqId } = input;
      const refusal = refusalOf(input.error);
      if (!refusal) return Promise.resolve(undefined);
      const key = input.routes.length > 0 ? path : UNKNOWN_PATHS_KEY;
      const admitted = this.limiter.admit(key, now);
      const where = key === UNKNOWN_PATHS_KEY ? { reqId, path, unknownPaths: true } : { reqId, path };
      if (admitted.closedWindowDropped > 0) {
        this.log.warn({ ...where, notStored: admitted.closedWindowDropped }, 'refused webhook deliveries over the per-minute cap were counted, not stored');
      }
      if (!admitted.store) {
        if (admitted.firstDrop) {
          this.log.warn(
            { ...where, perMinute: REFUSALS_PER_PATH_PER_MINUTE },
            key === UNKNOWN_PATHS_KEY
              ? 'too many deliveries to paths no flow listens on: the rest of this minute is counted, not stored'
              : 'too many refused webhook deliveries on this path: the rest of this minute is counted, not stored',
          );
        }
        return Promise.resolve(undefined);
      }
      const base = { id: newId('ev', now), now, path, request: input.request, routes: input.routes, trace: input.trace, scrubber: this.scrubber };
      const row = refusedEventRow(base, refusal, admitted.suppressed, input.reason);
      const refs = refsFor(input.routes);
      const written = this.store.write((tx) => tx.events.insert(row, refs)).then(
        () => row.id,
        (err: unknown) => {
          // A 503 for a locked database usually cannot be recorded either: that is expected, not an error.
          const level = refusal.outcome === 'unavailable' && (storageErrorKind(err) !== 'other' || err instanceof UnavailableError) ? 'warn' : 'error';
          this.log[level]({ err, reqId, path, outcome: row.outcome }, 'could not record a refused webhook delivery in the event log');
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
