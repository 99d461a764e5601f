import type { Alert } from './alert/schema.js';

/**
 * The event log: one record per webhook delivery, whatever happened to it. Pure types and
 * constants (browser-safe), shared by the runtime's views and the editor's Events page.
 */

/**
 * What happened to a delivery:
 * - `accepted`: at least one execution was created;
 * - `duplicate`: every alert a flow would start on had been handled already (or the source's
 *   delivery id was seen before on this path);
 * - `ignored`: authenticated and valid, but no flow started (resolved alerts with `on: firing`, no alerts);
 * - `handshake`: a protocol message the source answered itself (subscription confirmation, ping);
 * - `rejected`: 401, credentials or allowlist;
 * - `invalid`: 400/413/415/422, the body or media type did not fit the source (413: too large;
 *   its body is not stored at all);
 * - `not_found`: 404, no enabled flow listens on the path (the reason names the disabled flows
 *   that do, or says no flow does);
 * - `unavailable`: 503, Salve could not take it now (queue full, database busy, shutting down);
 *   the sender was told to retry.
 * Every outcome but `accepted`, `duplicate`, `ignored` and `handshake` is a refusal: stored at
 * most 60 times per path a minute (all paths no flow knows share one such budget).
 */
export const EVENT_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'handshake', 'rejected', 'invalid', 'not_found', 'unavailable'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

/** Bytes of the body kept for refused deliveries (unauthenticated callers must not fill the disk). */
export const REFUSED_BODY_LIMIT_BYTES = 4096;

/** How one source node on the path judged the delivery's credentials. */
export interface EventRoute {
  flowId: string;
  nodeId: string;
  /** The source, e.g. `alertmanager` (node type without `source.`). */
  source: string;
  /**
   * `skipped`: not asked, e.g. the media type was not one this source accepts, or (on a
   * `not_found` delivery) its flow is disabled.
   */
  result: 'authenticated' | 'rejected' | 'skipped';
  /** Why it was rejected or skipped; never contains a secret. */
  reason?: string;
}

/** What one flow did with one alert of the delivery. */
export interface EventMatch {
  flowId: string;
  nodeId: string;
  /** Index into the event's `alerts`. */
  alertIndex: number;
  /** `held`: the run was created but a guard rail (limits, circuit breaker) holds it; `reason` says which and why. */
  result: 'started' | 'held' | 'duplicate' | 'not_started';
  reason?: string;
  /** `started` / `held`: the execution created; `duplicate`: the earlier execution that handled it. */
  executionId?: string;
  /** Runs of this flow with the same fingerprint that this (resolved) alert marked resolved. */
  resolvedExecutionIds?: string[];
}

/** The normalized alert as the event log keeps it: `raw` is in the body already. */
export type EventAlert = Omit<Alert, 'raw'>;

/** Per flow: what the delivery did there (the list view's summary of `routes` and `matches`). */
export interface EventFlowSummary {
  flowId: string;
  /** False when every source node of this flow on the path refused the credentials. */
  authenticated: boolean;
  started: number;
  duplicate: number;
  notStarted: number;
  /** Runs created but held by a guard rail (present when there are some; also in executionIds). */
  held?: number;
  /** Executions created (started or held), then the earlier ones duplicates point to; at most 10. */
  executionIds: string[];
  duplicateOf: string[];
}

/** One row of `GET /api/events`. */
export interface EventSummary {
  id: string;
  receivedAt: string;
  path: string;
  outcome: EventOutcome;
  /** The HTTP status Salve answered with. */
  httpStatus: number;
  /** Source types of the flows listening on the path, e.g. `["alertmanager"]`. */
  sources: string[];
  /** The source's own delivery id (PagerDuty `X-Webhook-Id`, SNS message id), when it has one. */
  deliveryId: string | null;
  /** One line: why it was rejected, invalid, ignored or a duplicate; the handshake's answer. */
  reason: string | null;
  remoteAddress: string | null;
  /** Request headers with credentials replaced by `***`. */
  headers: Record<string, string>;
  alertCount: number;
  executionCount: number;
  duplicateCount: number;
  /** Alerts a matching flow's source does not start runs for (e.g. resolved with `on: firing`). */
  notStartedCount: number;
  /** Refused deliveries on this path not stored (over the per-minute cap) just before this one. */
  suppressedBefore: number;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** Names of the first alerts (at most 5). */
  alertNames: string[];
  flows: EventFlowSummary[];
}

/** `GET /api/events/:id`. */
export interface EventDetail<Execution = unknown> extends EventSummary {
  /** The body as received (for refused deliveries at most the first 4 KiB, for 413 nothing; see `bodyTruncated`). */
  body: string;
  routes: EventRoute[];
  alerts: EventAlert[];
  matches: EventMatch[];
  /** For `invalid`: the error answered (`code`, `message`, `issues`). */
  error: { code: string; message: string; issues?: { path: (string | number)[]; message: string }[] } | null;
  /** The executions this delivery created. */
  executions: Execution[];
}
