import { createHash } from 'node:crypto';
import {
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../shared/errors.js';
import type { Alert } from '../../shared/alert/schema.js';
import { JSON_ONLY, type HandshakeResult, type IngestContext, type IngestRequest, type SecretResolver } from '../../nodes/source-adapter.js';
import { isAllowed } from '../../nodes/source/allowlist.js';
import type { SqliteStore } from '../store/db.js';
import { eventsRepo } from '../store/events-repo.js';
import { executionsRepo, type NewExecution } from '../store/executions-repo.js';
import { newId } from '../store/ids.js';
import type { Clock } from './clock.js';
import { parseJson } from './json.js';
import type { HookRouter, HookRoute } from './hook-router.js';

export interface IngestResult {
  eventId: string;
  /** Executions created by this delivery. */
  executions: { id: string; flowId: string }[];
  /** Alerts that matched a flow but had already been handled (same alert delivered again). */
  duplicates: number;
  /** Alerts in the delivery. */
  alerts: number;
  /** Set when the delivery was a protocol message the source answered itself (no alert, no run). */
  handshake?: HandshakeResult;
}

export interface IngestDeps {
  store: SqliteStore;
  router: HookRouter;
  clock: Clock;
  secrets: SecretResolver;
  executionDeadlineMs: number;
  /** Queued executions beyond which deliveries are refused with 503 (senders retry). */
  maxQueued: number;
  queuedCount: () => number;
  onRejectedAuth?: (path: string, reasons: string[]) => void;
  /** For sources that call out while verifying (SNS certificates); tests inject a fake. */
  fetch?: typeof fetch;
}

/** `application/json` from `application/json; charset=utf-8`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

/** Request headers worth keeping for the event log, credentials removed. */
function storableHeaders(headers: Record<string, string>, extraSecretHeaders: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = SENSITIVE_HEADERS.has(k) || extraSecretHeaders.has(k) ? '***' : v;
  }
  return out;
}

/** Same flow + same source node + same notification identity (`alert.dedupKey`) = already handled. */
function dedupKey(route: HookRoute, alert: Alert): string {
  return createHash('sha256').update(JSON.stringify([route.node.id, alert.dedupKey])).digest('hex');
}

/**
 * Accepts one webhook delivery: authenticate over the raw bytes, parse, normalize, match,
 * then store the event and one execution per matching flow and alert in ONE transaction.
 * Resolves only after that commit, so a 202 always means "durably accepted".
 */
export async function ingestDelivery(deps: IngestDeps, path: string, request: IngestRequest): Promise<IngestResult> {
  const routes = deps.router.routes(path);
  if (routes.length === 0) throw new NotFoundError(`no enabled flow listens on /hooks/${path}`);

  // Accept only what the tool behind this path sends (SNS, for one, posts JSON as text/plain).
  const media = mediaType(request.headers['content-type']);
  const byMedia = routes.filter((route) => (route.adapter.contentTypes ?? JSON_ONLY).includes(media));
  if (byMedia.length === 0) {
    const accepted = [...new Set(routes.flatMap((route) => route.adapter.contentTypes ?? JSON_ONLY))];
    throw new UnsupportedMediaTypeError(`Content-Type must be ${accepted.join(' or ')}`);
  }

  const now = deps.clock.now();
  const ctx: IngestContext = { secrets: deps.secrets, now, fetch: deps.fetch ?? fetch };
  const reasons: string[] = [];
  const checks = await Promise.all(
    byMedia.map(async (route) => {
      const allowFrom = (route.node.config as { allowFrom?: string[] }).allowFrom;
      if (!isAllowed(allowFrom, request.remoteAddress)) return { ok: false as const, reason: `address ${request.remoteAddress ?? '(unknown)'} is not in allowFrom` };
      return route.adapter.authenticate(route.node.config, request, ctx);
    }),
  );
  const authenticated = byMedia.filter((route, i) => {
    const result = checks[i]!;
    if (!result.ok) reasons.push(`${route.flow.id}/${route.node.id}: ${result.reason}`);
    return result.ok;
  });
  if (authenticated.length === 0) {
    deps.onRejectedAuth?.(path, reasons);
    throw new UnauthorizedError('invalid or missing credentials');
  }

  const body = parseJson(request.rawBody);
  // Protocol messages (subscription confirmations, pings) are answered by the source; no run.
  for (const route of authenticated) {
    const handshake = await route.adapter.handshake?.(route.node.config, body, request, ctx);
    if (handshake) return { eventId: '', executions: [], duplicates: 0, alerts: 0, handshake };
  }
  const planned: NewExecution[] = [];
  let alertCount = 0;
  for (const route of authenticated) {
    let alerts: Alert[];
    try {
      alerts = route.adapter.normalize(route.node.config, body, request);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new ValidationError(`payload rejected by ${route.node.type}`, [{ path: [], message: (error as Error).message }]);
    }
    alertCount = Math.max(alertCount, alerts.length);
    for (const alert of alerts) {
      if (!route.adapter.accepts(route.node.config, alert)) continue;
      planned.push({
        id: newId('ex', now),
        flowId: route.flow.id,
        flowRevision: route.revision,
        eventId: '',
        sourceNodeId: route.node.id,
        dedupKey: dedupKey(route, alert),
        alert: JSON.stringify(alert),
        status: 'queued',
        createdAt: now,
        updatedAt: now,
        deadlineAt: now + deps.executionDeadlineMs,
      });
    }
  }

  if (planned.length > 0 && deps.queuedCount() >= deps.maxQueued) {
    throw new UnavailableError('too many executions are queued; retry later', 30);
  }

  const eventId = newId('ev', now);
  const secretHeaders = new Set<string>();
  for (const route of authenticated) {
    const auth = (route.node.config as { auth?: { type?: string; name?: string } }).auth;
    if (auth?.type === 'header' && auth.name) secretHeaders.add(auth.name.toLowerCase());
  }
  const bodyText = Buffer.from(request.rawBody.buffer, request.rawBody.byteOffset, request.rawBody.byteLength).toString('utf8');

  return deps.store.write((db) => {
    const created: { id: string; flowId: string }[] = [];
    for (const row of planned) {
      row.eventId = eventId;
      if (executionsRepo.insertIfNew(db, row)) created.push({ id: row.id, flowId: row.flowId });
    }
    eventsRepo.insert(db, {
      id: eventId,
      receivedAt: now,
      path,
      headers: JSON.stringify(storableHeaders(request.headers, secretHeaders)),
      body: bodyText,
      alertCount,
      executionCount: created.length,
      duplicateCount: planned.length - created.length,
    });
    return { eventId, executions: created, duplicates: planned.length - created.length, alerts: alertCount };
  });
}
