import type { Alert } from '../../../shared/alert/schema.js';
import { type SalveError, ValidationError, formatPath, type Issue } from '../../../shared/errors.js';
import {
  REFUSED_BODY_LIMIT_BYTES,
  type EventAlert,
  type EventMatch,
  type EventOutcome,
  type EventRoute,
} from '../../../shared/event-log.js';
import type { IngestRequest } from '../../../nodes/source-adapter.js';
import { eventRef, type EventRow } from '../../store/events-repo.js';
import type { HookRoute } from './hook-router.js';

/**
 * The rows of the event log (`events`): what a delivery looked like and what became of it. Pure
 * builders: ingest writes a delivered row inside its one transaction, the recorder a refused
 * one in a write of its own (event-recorder.ts).
 */

/** Headers that carry credentials in every tool; each source on the path adds its own (WebhookAdapter.sensitiveHeaders). */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

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
    for (const name of route.adapter.sensitiveHeaders(route.node.config)) secret.add(name.toLowerCase());
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

/**
 * The row of a refused delivery: `rejected` (401) or `invalid` (400/415/422), answered with
 * `httpStatus`. Only the first 4 KiB of its body are kept: unauthenticated callers must not fill the disk.
 */
export function refusedEventRow(base: EventBase, error: SalveError, httpStatus: number, suppressedBefore: number): EventRow {
  const outcome: EventOutcome = error.code === 'unauthorized' ? 'rejected' : 'invalid';
  return {
    ...commonColumns(base),
    ...bodyForLog(base.request.rawBody, REFUSED_BODY_LIMIT_BYTES),
    outcome,
    httpStatus,
    reason: outcome === 'rejected' ? rejectedReason(base.trace) : invalidReason(error),
    alerts: '[]',
    matches: '[]',
    error: outcome === 'invalid' ? JSON.stringify(storedError(error)) : null,
    alertCount: 0,
    executionCount: 0,
    duplicateCount: 0,
    notStartedCount: 0,
    suppressedBefore,
  };
}
