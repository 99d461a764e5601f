import { createHash } from 'node:crypto';
import {
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/errors.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { EventMatch, EventOutcome } from '../../../shared/event-log.js';
import { JSON_ONLY, type HandshakeResult, type IngestContext, type IngestRequest, type SecretResolver } from '../../../nodes/source-adapter.js';
import { isAllowed } from '../../../nodes/source/allowlist.js';
import { boundAlert } from '../../../nodes/source/limits.js';
import type { SqliteStore } from '../../store/db.js';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo, type NewExecution } from '../../store/executions-repo.js';
import { newId } from '../../store/ids.js';
import type { Clock } from '../clock.js';
import {
  cleanDeliveryId,
  deliveredEventRow,
  deliveredReason,
  EventAccumulator,
  notStartedReason,
  refsFor,
  routeEntry,
  type DeliveryTrace,
  type EventRecorder,
} from './event-log.js';
import { parseJson } from '../json.js';
import type { QueueCap } from './queue-cap.js';
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
  /** How the event log records it. */
  outcome: EventOutcome;
}

export interface IngestDeps {
  store: SqliteStore;
  router: HookRouter;
  clock: Clock;
  secrets: SecretResolver;
  executionDeadlineMs: number;
  /** The cap on queued executions: a delivery that would exceed it is refused with 503 (senders retry). */
  queueCap: QueueCap;
  onRejectedAuth?: (path: string, reasons: string[]) => void;
  /** For sources that call out while verifying (SNS certificates); tests inject a fake. */
  fetch?: typeof fetch;
  /** Records refused deliveries in the event log (kept by the engine: it holds the per-path cap). */
  recorder?: EventRecorder;
}

/** `application/json` from `application/json; charset=utf-8`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Same flow + same source node + same notification identity (`alert.dedupKey`) = already handled. */
function dedupKey(route: HookRoute, alert: Alert): string {
  return createHash('sha256').update(JSON.stringify([route.node.id, alert.dedupKey])).digest('hex');
}

/**
 * Accepts one webhook delivery: authenticate over the raw bytes, parse, normalize, match,
 * then store the event and one execution per matching flow and alert in ONE transaction.
 * Resolves only after that commit, so a 202 always means "durably accepted".
 * Every delivery to a path some flow listens on lands in the event log (event-log.ts): in that
 * transaction when it gets through, in a write of its own when it is refused.
 */
export async function ingestDelivery(deps: IngestDeps, path: string, request: IngestRequest): Promise<IngestResult> {
  const routes = deps.router.routes(path);
  if (routes.length === 0) throw new NotFoundError(`no enabled flow listens on /hooks/${path}`);
  const now = deps.clock.now();
  // Event log: until a route is asked, it counts as skipped (e.g. the media type did not fit).
  const trace: DeliveryTrace = { routes: routes.map((r) => routeEntry(r, 'skipped', 'not checked')) };
  try {
    return await acceptDelivery(deps, path, request, routes, now, trace);
  } catch (error) {
    // Rejected (401) and invalid (400/415/422) deliveries are recorded after the answer is
    // decided, in their own write that is not waited for: it cannot delay or change the answer.
    void deps.recorder?.recordRefusal({ path, now, request, routes, trace, error });
    throw error;
  }
}

/** media type → allowFrom → authenticate → parse → handshake → normalize → match → one transaction. */
async function acceptDelivery(
  deps: IngestDeps,
  path: string,
  request: IngestRequest,
  routes: HookRoute[],
  now: number,
  trace: DeliveryTrace,
): Promise<IngestResult> {
  // Accept only what the tool behind this path sends (SNS, for one, posts JSON as text/plain).
  const media = mediaType(request.headers['content-type']);
  const byMedia = routes.filter((route) => (route.adapter.contentTypes ?? JSON_ONLY).includes(media));
  if (byMedia.length === 0) {
    const accepted = [...new Set(routes.flatMap((route) => route.adapter.contentTypes ?? JSON_ONLY))];
    trace.routes = routes.map((r) => routeEntry(r, 'skipped', `media type "${media}" is not one this source accepts`));
    throw new UnsupportedMediaTypeError(`Content-Type must be ${accepted.join(' or ')}`);
  }

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
  trace.routes = routes.map((route) => {
    const i = byMedia.indexOf(route);
    const result = checks[i];
    if (!result) return routeEntry(route, 'skipped', `media type "${media}" is not one this source accepts`);
    return result.ok ? routeEntry(route, 'authenticated') : routeEntry(route, 'rejected', result.reason);
  });
  if (authenticated.length === 0) {
    deps.onRejectedAuth?.(path, reasons);
    if (checks.some((c) => !c.ok && c.retryable)) {
      throw new UnavailableError('the delivery could not be verified right now; retry later', 30);
    }
    throw new UnauthorizedError('invalid or missing credentials');
  }

  const body = parseJson(request.rawBody);
  for (const route of authenticated) {
    trace.deliveryId ??= cleanDeliveryId(route.adapter.deliveryId?.(route.node.config, request, body));
  }
  const eventId = newId('ev', now);
  const base = { id: eventId, now, path, request, routes, trace };
  const acc = new EventAccumulator();
  // Protocol messages (subscription confirmations, pings) are answered by the source; no run.
  for (const route of authenticated) {
    const handshake = await route.adapter.handshake?.(route.node.config, body, request, ctx);
    if (handshake) {
      const counts = { alertCount: 0, executionCount: 0, duplicateCount: 0, notStartedCount: 0 };
      const row = deliveredEventRow(base, { outcome: 'handshake', httpStatus: handshake.status, reason: handshake.message, acc, ...counts });
      await deps.store.write((db) => eventsRepo.insert(db, row, refsFor(routes)));
      return { eventId, executions: [], duplicates: 0, alerts: 0, handshake, outcome: 'handshake' };
    }
  }
  const planned: NewExecution[] = [];
  /** Per planned execution: its match entry, filled in when the transaction knows what happened. */
  const plannedMatches: EventMatch[] = [];
  /** Resolved alerts per flow, to mark that flow's runs of the same fingerprint. */
  const resolved: { route: HookRoute; alert: Alert; match: EventMatch }[] = [];
  let notStarted = 0;
  let alertCount = 0;
  for (const route of authenticated) {
    let alerts: Alert[];
    try {
      // Every source's alerts are held to the same limits (flows and the expression cost estimate rely on them).
      alerts = route.adapter.normalize(route.node.config, body, request).map(boundAlert);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new ValidationError(`payload rejected by ${route.node.type}`, [{ path: [], message: (error as Error).message }]);
    }
    alertCount = Math.max(alertCount, alerts.length);
    for (const alert of alerts) {
      const match: EventMatch = { flowId: route.flow.id, nodeId: route.node.id, alertIndex: acc.alertIndex(alert), result: 'not_started' };
      acc.matches.push(match);
      if (alert.status === 'resolved') resolved.push({ route, alert, match });
      if (!route.adapter.accepts(route.node.config, alert)) {
        match.reason = notStartedReason(route, alert);
        notStarted++;
        continue;
      }
      plannedMatches.push(match);
      planned.push({
        id: newId('ex', now),
        flowId: route.flow.id,
        flowRevision: route.revision,
        eventId: '',
        sourceNodeId: route.node.id,
        dedupKey: dedupKey(route, alert),
        fingerprint: alert.fingerprint,
        alert: JSON.stringify(alert),
        status: 'queued',
        createdAt: now,
        updatedAt: now,
        deadlineAt: now + deps.executionDeadlineMs,
      });
    }
  }

  return deps.store.write((db) => {
    const created: { id: string; flowId: string }[] = [];
    planned.forEach((row, i) => {
      row.eventId = eventId;
      const match = plannedMatches[i]!;
      if (executionsRepo.insertIfNew(db, row)) {
        created.push({ id: row.id, flowId: row.flowId });
        match.result = 'started';
        match.executionId = row.id;
      } else {
        match.result = 'duplicate';
        match.reason = 'already handled: same alert delivered again';
        const earlier = executionsRepo.idByDedupKey(db, row.flowId, row.dedupKey);
        if (earlier) match.executionId = earlier;
      }
    });
    // Counted in this transaction: over the cap, the throw rolls back this delivery's inserts.
    deps.queueCap.admit(db, created.length);
    // A resolved alert marks the runs of its flow with the same fingerprint, whether or not it starts one.
    for (const { route, alert, match } of resolved) {
      const at = Date.parse(alert.endsAt);
      const ids = executionsRepo.markAlertResolved(db, route.flow.id, alert.fingerprint, Number.isNaN(at) ? now : at);
      if (ids.length) match.resolvedExecutionIds = ids;
    }
    const duplicates = planned.length - created.length;
    const seenDelivery = trace.deliveryId !== undefined && eventsRepo.seenDelivery(db, path, trace.deliveryId);
    const outcome: EventOutcome = created.length > 0 ? 'accepted' : duplicates > 0 || seenDelivery ? 'duplicate' : 'ignored';
    eventsRepo.insert(
      db,
      deliveredEventRow(base, {
        outcome,
        httpStatus: 202,
        reason: deliveredReason(outcome, acc, alertCount, seenDelivery),
        acc,
        alertCount,
        executionCount: created.length,
        duplicateCount: duplicates,
        notStartedCount: notStarted,
      }),
      refsFor(routes),
    );
    return { eventId, executions: created, duplicates, alerts: alertCount, outcome };
  });
}
