import type { Alert } from '../../../shared/alert/schema.js';
import { SalveError, ValidationError, formatPath, type Issue } from '../../../shared/errors.js';
import {
  REFUSED_BODY_LIMIT_BYTES,
  type EventAlert,
  type EventMatch,
  type EventOutcome,
  type EventRoute,
} from '../../../shared/event-log.js';
import type { IngestRequest } from '../../../nodes/source-adapter.js';
import type { SqliteStore } from '../../store/db.js';
import { eventRef, eventsRepo, type EventRow } from '../../store/events-repo.js';
import { newId } from '../../store/ids.js';
import type { Logger } from '../../log.js';
import type { HookRoute } from './hook-router.js';

/**
 * The recording half of ingest: what a delivery looked like and what became of it, for the
 * event log (`events`). ingest.ts calls in at three points — the routes' verdicts as they are
 * known, the event row inside its one transaction, and `recordRefusal` after a 4xx — so the
 * authentication/handshake flow there stays as it was.
 */

/** Headers that carry credentials in every tool; a source's own `auth.type: header` name is added per path. */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Refused (rejected/invalid) deliveries stored per path per minute; the rest are only counted. */
export const REFUSALS_PER_PATH_PER_MINUTE = 60;

/** Longest source delivery id kept (they are short ids; anything longer is cut). */
const MAX_DELIVERY_ID = 200;

/** Issues kept for an invalid delivery (a 1000-alert group can produce thousands). */
const MAX_ISSUES = 50;

/** What ingest learned about a delivery before it was refused (filled in as it goes). */
export interface DeliveryTrace {
  /** Each source node on the path: authenticated, rejected (with the reason) or skipped. */
  routes: EventRoute[];
  deliveryId?: string;
}

/** `source.alertmanager` → `alertmanager`. */
export function sourceName(nodeType: string): string {
  return nodeType.startsWith('source.') ? nodeType.slice('source.'.length) : nodeType;
}

/** A route as the event log names it. */
export function routeEntry(route: HookRoute, result: EventRoute['result'], reason?: string): EventRoute {
  return { flowId: route.flow.id, nodeId: route.node.id, source: sourceName(route.node.type), result, ...(reason ? { reason } : {}) };
}

/** Request headers worth keeping, credentials replaced by `***` (also any header a source on the path takes a secret in). */
export function storableHeaders(headers: Record<string, string>, routes: readonly HookRoute[]): Record<string, string> {
  const secret = new Set(SENSITIVE_HEADERS);
  for (const route of routes) {
    const auth = (route.node.config as { auth?: { type?: string; name?: string } }).auth;
    if (auth?.type === 'header' && auth.name) secret.add(auth.name.toLowerCase());
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = secret.has(k.toLowerCase()) ? '***' : v;
  return out;
}

/** The body as text; with `limit`, only its first `limit` bytes. */
export function bodyForLog(raw: Uint8Array, limit?: number): { body: string; bodyBytes: number; bodyTruncated: boolean } {
  const truncated = limit !== undefined && raw.byteLength > limit;
  const bytes = truncated ? raw.subarray(0, limit) : raw;
  return {
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    bodyBytes: raw.byteLength,
    bodyTruncated: truncated,
  };
}

/** The alert without `raw` (the body holds it). */
export function withoutRaw(alert: Alert): EventAlert {
  const { raw: _raw, ...rest } = alert;
  return rest;
}

/** A source's delivery id, as far as it is usable: a non-empty string, length-capped. */
export function cleanDeliveryId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  return id === '' ? undefined : id.slice(0, MAX_DELIVERY_ID);
}

/** Why a source did not start its flow for an alert, in plain words. */
export function notStartedReason(route: HookRoute, alert: Alert): string {
  const on = (route.node.config as { on?: unknown }).on;
  if (on === 'firing' || on === 'resolved') return `${alert.status} alert: source starts runs on ${on} only`;
  return `${alert.status} alert: the source does not start runs for it`;
}

/** Collects the normalized alerts of a delivery (once each, as several routes may normalize it alike) and the matches. */
export class EventAccumulator {
  readonly alerts: EventAlert[] = [];
  readonly matches: EventMatch[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `alert` in `alerts`, adding it the first time. */
  alertIndex(alert: Alert): number {
    const stored = withoutRaw(alert);
    const key = JSON.stringify(stored);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.alerts.push(stored) - 1;
      this.index.set(key, i);
    }
    return i;
  }
}

/** The filter refs of an event: every flow listening on the path, every source type. */
export function refsFor(routes: readonly HookRoute[]): string[] {
  return [...routes.map((r) => eventRef.flow(r.flow.id)), ...routes.map((r) => eventRef.source(sourceName(r.node.type)))];
}

export function sourcesOf(routes: readonly HookRoute[]): string[] {
  return [...new Set(routes.map((r) => sourceName(r.node.type)))].sort();
}

interface EventBase {
  id: string;
  now: number;
  path: string;
  request: IngestRequest;
  routes: readonly HookRoute[];
  trace: DeliveryTrace;
}

/** The row of a delivery that got through (accepted, duplicate, ignored, handshake). */
export function deliveredEventRow(
  base: EventBase,
  what: {
    outcome: EventOutcome;
    httpStatus: number;
    reason: string | null;
    acc: EventAccumulator;
    alertCount: number;
    executionCount: number;
    duplicateCount: number;
    notStartedCount: number;
  },
): EventRow {
  return {
    ...commonColumns(base),
    ...bodyForLog(base.request.rawBody),
    outcome: what.outcome,
    httpStatus: what.httpStatus,
    reason: what.reason,
    alerts: JSON.stringify(what.acc.alerts),
    matches: JSON.stringify(what.acc.matches),
    error: null,
    alertCount: what.alertCount,
    executionCount: what.executionCount,
    duplicateCount: what.duplicateCount,
    notStartedCount: what.notStartedCount,
    suppressedBefore: 0,
  };
}

function commonColumns(base: EventBase) {
  return {
    id: base.id,
    receivedAt: base.now,
    path: base.path,
    sources: JSON.stringify(sourcesOf(base.routes)),
    deliveryId: base.trace.deliveryId ?? null,
    remoteAddress: base.request.remoteAddress ?? null,
    headers: JSON.stringify(storableHeaders(base.request.headers, base.routes)),
    routes: JSON.stringify(base.trace.routes),
  };
}

/** The one-line reason of an event that got through but started nothing new. */
export function deliveredReason(outcome: EventOutcome, acc: EventAccumulator, alertCount: number, seenDelivery: boolean): string | null {
  if (outcome === 'duplicate') {
    return seenDelivery ? 'this delivery id was already received on this path' : 'every alert was already handled (same alert delivered again)';
  }
  if (outcome !== 'ignored') return null;
  if (alertCount === 0) return 'the delivery holds no alerts';
  const reasons = [...new Set(acc.matches.filter((m) => m.result === 'not_started').map((m) => m.reason ?? 'not started'))];
  return reasons.length === 1 ? reasons[0]! : reasons.length > 1 ? `no flow started: ${reasons.join('; ')}` : 'no flow started';
}

/** The HTTP status a refused delivery was answered with. */
const REFUSAL_STATUS: Partial<Record<string, number>> = { unauthorized: 401, bad_request: 400, unsupported_media_type: 415, validation_failed: 422 };

/**
 * Per path, per minute: at most `max` refused deliveries are stored; the others are counted,
 * logged, and reported on the next stored one (`suppressedBefore`). Memory is one entry per
 * hook path (paths no flow listens on are never recorded).
 */
export class RefusalLimiter {
  private readonly windows = new Map<string, { start: number; stored: number; dropped: number; unreported: number }>();

  constructor(
    private readonly max = REFUSALS_PER_PATH_PER_MINUTE,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Whether to store a refusal on `path` now. `suppressed`: how many were not stored since the
   * last stored one; `closed`: the count dropped in the window that just ended (for the log).
   */
  admit(path: string, now: number): { store: boolean; suppressed: number; closedWindowDropped: number; firstDrop: boolean } {
    let w = this.windows.get(path);
    let closedWindowDropped = 0;
    if (!w || now - w.start >= this.windowMs || now < w.start) {
      closedWindowDropped = w?.dropped ?? 0;
      w = { start: now, stored: 0, dropped: 0, unreported: w?.unreported ?? 0 };
      this.windows.set(path, w);
    }
    if (w.stored < this.max) {
      w.stored++;
      const suppressed = w.unreported;
      w.unreported = 0;
      return { store: true, suppressed, closedWindowDropped, firstDrop: false };
    }
    w.dropped++;
    w.unreported++;
    return { store: false, suppressed: 0, closedWindowDropped, firstDrop: w.dropped === 1 };
  }
}

/** Error as stored for an invalid delivery: code, message, at most 50 issues. */
function storedError(error: SalveError): { code: string; message: string; issues?: Issue[] } {
  const issues = error instanceof ValidationError ? error.issues : undefined;
  return {
    code: error.code,
    message: error.message.slice(0, 1000),
    ...(issues ? { issues: issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path, message: i.message.slice(0, 500) })) } : {}),
  };
}

/** One line for an invalid delivery: the message and the first issue. */
function invalidReason(error: SalveError): string {
  const first = error instanceof ValidationError ? error.issues[0] : undefined;
  const more = error instanceof ValidationError && error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return (first ? `${error.message}: ${formatPath(first.path)}: ${first.message}${more}` : error.message).slice(0, 1000);
}

/** One line for a rejected delivery: every source node's reason. */
function rejectedReason(trace: DeliveryTrace): string {
  const reasons = trace.routes.filter((r) => r.result === 'rejected').map((r) => `${r.flowId}/${r.nodeId}: ${r.reason ?? 'refused'}`);
  return (reasons.length ? `authentication failed: ${reasons.join('; ')}` : 'authentication failed').slice(0, 2000);
}

/**
 * Writes refused deliveries (rejected, invalid) to the event log in their own small write,
 * after the answer is decided: it never delays the answer and never changes it (a storage
 * failure here is logged, and the 401 stays a 401).
 */
export class EventRecorder {
  private readonly limiter: RefusalLimiter;

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
  recordRefusal(input: { path: string; now: number; request: IngestRequest; routes: readonly HookRoute[]; trace: DeliveryTrace; error: unknown }): Promise<string | undefined> {
    try {
      const { error, path, now } = input;
      if (!(error instanceof SalveError)) return Promise.resolve(undefined);
      const httpStatus = REFUSAL_STATUS[error.code];
      if (httpStatus === undefined) return Promise.resolve(undefined);
      const admitted = this.limiter.admit(path, now);
      if (admitted.closedWindowDropped > 0) {
        this.log.warn({ path, notStored: admitted.closedWindowDropped }, 'refused webhook deliveries over the per-minute cap were counted, not stored');
      }
      if (!admitted.store) {
        if (admitted.firstDrop) {
          this.log.warn({ path, perMinute: REFUSALS_PER_PATH_PER_MINUTE }, 'too many refused webhook deliveries on this path: the rest of this minute is counted, not stored');
        }
        return Promise.resolve(undefined);
      }
      const outcome: EventOutcome = error.code === 'unauthorized' ? 'rejected' : 'invalid';
      const row: EventRow = {
        ...commonColumns({ id: newId('ev', now), now, path, request: input.request, routes: input.routes, trace: input.trace }),
        ...bodyForLog(input.request.rawBody, REFUSED_BODY_LIMIT_BYTES),
        outcome,
        httpStatus,
        reason: outcome === 'rejected' ? rejectedReason(input.trace) : invalidReason(error),
        alerts: '[]',
        matches: '[]',
        error: outcome === 'invalid' ? JSON.stringify(storedError(error)) : null,
        alertCount: 0,
        executionCount: 0,
        duplicateCount: 0,
        notStartedCount: 0,
        suppressedBefore: admitted.suppressed,
      };
      const refs = refsFor(input.routes);
      return this.store.write((db) => eventsRepo.insert(db, row, refs)).then(
        () => row.id,
        (err: unknown) => {
          this.log.error({ err, path, outcome }, 'could not record a refused webhook delivery in the event log');
          return undefined;
        },
      );
    } catch (err) {
      this.log.error({ err, path: input.path }, 'could not record a refused webhook delivery in the event log');
      return Promise.resolve(undefined);
    }
  }
}
