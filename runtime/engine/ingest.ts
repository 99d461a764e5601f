import { createHash } from 'node:crypto';
import {
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../shared/errors.js';
import type { Alert } from '../../shared/alert/schema.js';
import type { IngestRequest, SecretResolver } from '../../nodes/source-adapter.js';
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

/** Same flow + same source node + same alert identity + same status = already handled. */
function dedupKey(route: HookRoute, alert: Alert): string {
  return createHash('sha256')
    .update(JSON.stringify([route.node.id, alert.fingerprint, alert.startsAt, alert.status]))
    .digest('hex');
}

/**
 * Accepts one webhook delivery: authenticate over the raw bytes, parse, normalize, match,
 * then store the event and one execution per matching flow and alert in ONE transaction.
 * Resolves only after that commit, so a 202 always means "durably accepted".
 */
export async function ingestDelivery(deps: IngestDeps, path: string, request: IngestRequest): Promise<IngestResult> {
  const routes = deps.router.routes(path);
  if (routes.length === 0) throw new NotFoundError(`no enabled flow listens on /hooks/${path}`);

  const reasons: string[] = [];
  const authenticated = routes.filter((route) => {
    const result = route.adapter.authenticate(route.node.config, request, deps.secrets);
    if (!result.ok) reasons.push(`${route.flow.id}/${route.node.id}: ${result.reason}`);
    return result.ok;
  });
  if (authenticated.length === 0) {
    deps.onRejectedAuth?.(path, reasons);
    throw new UnauthorizedError('invalid or missing credentials');
  }

  const body = parseJson(request.rawBody);
  const now = deps.clock.now();
  const planned: NewExecution[] = [];
  let alertCount = 0;
  for (const route of authenticated) {
    let alerts: Alert[];
    try {
      alerts = route.adapter.normalize(route.node.config, body);
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
