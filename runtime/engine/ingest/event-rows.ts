import type { Alert } from '../../../shared/alert/schema.js';
import { HTTP_STATUS, SalveError, UnavailableError, ValidationError, formatPath, type ErrorCode, type Issue } from '../../../shared/errors.js';
import {
  REFUSED_BODY_LIMIT_BYTES,
  type EventAlert,
  type EventMatch,
  type EventOutcome,
  type EventRoute,
} from '../../../shared/event-log.js';
import type { IngestRequest } from '../../../nodes/source-adapter.js';
import { eventRef, type EventRow } from '../../store/events-repo.js';
import { sqliteCode, storageErrorKind } from '../../store/retry.js';
import type { Scrubber } from '../secrets/scrub.js';
import type { HookRoute } from './hook-router.js';

/**
 * The rows of the event log (`events`): what a delivery looked like and what became of it. Pure
 * builders: ingest writes a delivered row inside its one transaction, the recorder a refused
 * one in a write of its own (event-recorder.ts).
 */

/** Headers that carry credentials in every tool; each source on the path adds its own (WebhookAdapter.sensitiveHeaders). */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Longest hook path stored: a path no flow knows is whatever the caller typed. */
const MAX_STORED_PATH = 200;

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

/**
 * Header names that look like they carry a credential. Used only when no source on the path
 * says which of its headers hold a secret (a delivery to a path no flow knows): better to hide
 * a harmless header than to store a token sent to the wrong path.
 */
const CREDENTIAL_LIKE_HEADER = /auth|token|secret|key|pass|cookie|session|credential/i;

/**
 * Request headers worth keeping, credentials replaced by `***` (also any header a source on the
 * path takes a secret in; with no source on the path, any header named like a credential).
 */
export function storableHeaders(headers: Record<string, string>, routes: readonly HookRoute[]): Record<string, string> {
  const secret = new Set(SENSITIVE_HEADERS);
  for (const route of routes) {
    for (const name of route.adapter.sensitiveHeaders(route.node.config)) secret.add(name.toLowerCase());
  }
  const hide = (name: string) => secret.has(name.toLowerCase()) || (routes.length === 0 && CREDENTIAL_LIKE_HEADER.test(name));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = hide(k) ? '***' : v;
  return out;
}

/**
 * The body as text, scrubbed of every secret with `scrubber`; with `limit`, only its first
 * `limit` bytes. Scrubbed before it is cut, so a secret across the cut leaves no prefix behind.
 */
export function bodyForLog(raw: Uint8Array, limit?: number, scrubber?: Scrubber): { body: string; bodyBytes: number; bodyTruncated: boolean } {
  const truncated = limit !== undefined && raw.byteLength > limit;
  let text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (scrubber) text = scrubber.json(text);
  if (truncated) text = Buffer.from(text, 'utf8').subarray(0, limit).toString('utf8');
  return { body: text, bodyBytes: raw.byteLength, bodyTruncated: truncated };
}

/**
 * `row` with every secret scrubbed from what a sender chose (path, delivery id, headers, body)
 * and from what Salve made of it (alerts, routes, matches, reason, error): a sender may put a
 * source's shared secret in any header or in the body, or send it to the wrong path.
 */
export function scrubbedEventRow(row: EventRow, scrubber: Scrubber): EventRow {
  if (scrubber.empty) return row;
  const text = (s: string | null) => (s === null ? null : scrubber.text(s));
  const json = (s: string | null) => (s === null ? null : scrubber.json(s));
  return {
    ...row,
    path: scrubber.text(row.path),
    deliveryId: text(row.deliveryId),
    reason: text(row.reason),
    headers: scrubber.json(row.headers),
    // A JSON body stays JSON (it is the run's `event`), re-written only when a secret was in it.
    body: scrubber.json(row.body),
    routes: scrubber.json(row.routes),
    alerts: scrubber.json(row.alerts),
    matches: scrubber.json(row.matches),
    error: json(row.error),
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

/** The source types on the path, sorted, once each. */
function sourcesOf(routes: readonly HookRoute[]): string[] {
  return [...new Set(routes.map((r) => sourceName(r.node.type)))].sort();
}

/** What every row of a delivery starts from. */
export interface EventBase {
  id: string;
  now: number;
  path: string;
  request: IngestRequest;
  routes: readonly HookRoute[];
  trace: DeliveryTrace;
  /** What the row is scrubbed with: every secret Salve holds. */
  scrubber: Scrubber;
}

function commonColumns(base: EventBase) {
  return {
    id: base.id,
    receivedAt: base.now,
    path: base.path.slice(0, MAX_STORED_PATH),
    sources: JSON.stringify(sourcesOf(base.routes)),
    deliveryId: base.trace.deliveryId ?? null,
    remoteAddress: base.request.remoteAddress ?? null,
    headers: JSON.stringify(storableHeaders(base.request.headers, base.routes)),
    routes: JSON.stringify(base.trace.routes),
  };
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
  return scrubbedEventRow({
    ...commonColumns(base),
    ...bodyForLog(base.request.rawBody, undefined, base.scrubber),
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
  }, base.scrubber);
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

/** Why a delivery was refused, as the event log records it. */
interface Refusal {
  outcome: Extract<EventOutcome, 'rejected' | 'invalid' | 'not_found' | 'unavailable'>;
  httpStatus: number;
  /** What the sender was answered (`code`, `message`, for a validation failure its issues). */
  error: SalveError;
}

/** Error codes whose refusals the event log records, and as what. */
const REFUSAL_OUTCOMES: Partial<Record<ErrorCode, Refusal['outcome']>> = {
  unauthorized: 'rejected',
  bad_request: 'invalid',
  payload_too_large: 'invalid',
  unsupported_media_type: 'invalid',
  validation_failed: 'invalid',
  not_found: 'not_found',
  unavailable: 'unavailable',
};

/**
 * The refusal `error` stands for, or undefined when the event log does not record it (a bug:
 * 500). A storage error (database locked, disk full) was answered 503, as the HTTP layer does.
 */
export function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof SalveError) {
    const outcome = REFUSAL_OUTCOMES[error.code];
    return outcome && { outcome, httpStatus: HTTP_STATUS[error.code], error };
  }
  if (storageErrorKind(error) === 'other') return undefined;
  const code = sqliteCode(error) ?? 'storage error';
  return { outcome: 'unavailable', httpStatus: 503, error: new UnavailableError(`the database was busy or failing (${code}); retry later`, 5) };
}

/** `too many executions are queued; retry later` → `…queued; the sender was asked to retry after 30 s`. */
function unavailableReason(error: SalveError): string {
  const after = error instanceof UnavailableError ? error.retryAfterSeconds : 5;
  return `${error.message.replace(/; retry (later|shortly)$/, '')}; the sender was asked to retry after ${after} s`;
}

/** A 413: its size, and what to change if such deliveries are expected. */
function tooLargeReason(error: SalveError): string {
  return `${error.message}; the body was not stored (raise SALVE_HOOK_BODY_LIMIT if the sender's deliveries are this large)`;
}

/** The size a sender declared for a body that was not read (413), 0 when it did not say. */
function declaredBytes(headers: Record<string, string>): number {
  const n = Number(headers['content-length']);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/**
 * The row of a refused delivery (see Refusal), answered with `refusal.httpStatus`. Only the
 * first 4 KiB of its body are kept (none of a 413's): unauthenticated callers must not fill the
 * disk. `reason` replaces the one made from the error (the 404's names the disabled flows).
 */
export function refusedEventRow(base: EventBase, refusal: Refusal, suppressedBefore: number, reason?: string): EventRow {
  const { outcome, httpStatus, error } = refusal;
  const body =
    error.code === 'payload_too_large'
      ? { body: '', bodyBytes: declaredBytes(base.request.headers), bodyTruncated: true }
      : bodyForLog(base.request.rawBody, REFUSED_BODY_LIMIT_BYTES, base.scrubber);
  const made =
    outcome === 'rejected'
      ? rejectedReason(base.trace)
      : outcome === 'unavailable'
        ? unavailableReason(error)
        : error.code === 'payload_too_large'
          ? tooLargeReason(error)
          : invalidReason(error);
  return scrubbedEventRow({
    ...commonColumns(base),
    ...body,
    outcome,
    httpStatus,
    reason: (reason ?? made).slice(0, 2000),
    alerts: '[]',
    matches: '[]',
    error: outcome === 'rejected' ? null : JSON.stringify(storedError(error)),
    alertCount: 0,
    executionCount: 0,
    duplicateCount: 0,
    notStartedCount: 0,
    suppressedBefore,
  }, base.scrubber);
}

/**
 * The reason of a 404 in plain words: which disabled flows would have listened, or that none
 * does (with the paths that are listened on, so a typo shows). `paths` are the enabled ones.
 */
export function notFoundReason(path: string, disabled: readonly HookRoute[], paths: readonly string[]): string {
  const names = [...new Map(disabled.map((r) => [r.flow.id, `'${r.flow.name}'`])).values()];
  if (names.length === 1) return `no enabled flow listens on /hooks/${path} — flow ${names[0]} on this path is disabled`;
  if (names.length > 1) return `no enabled flow listens on /hooks/${path} — flows ${names.slice(0, -1).join(', ')} and ${names.at(-1)} on this path are disabled`;
  if (paths.length === 0) return `no flow listens on /hooks/${path}: no enabled flow listens on any path yet`;
  const shown = paths.slice(0, 5).map((p) => `/hooks/${p}`);
  const more = paths.length > shown.length ? ` and ${paths.length - shown.length} more` : '';
  return `no flow listens on /hooks/${path}; enabled flows listen on ${shown.join(', ')}${more}`;
}
