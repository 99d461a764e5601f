import { NotFoundError } from '../../../shared/errors.js';
import type { EventOutcome } from '../../../shared/event-log.js';
import type { HandshakeResult, IngestContext, IngestRequest, SecretResolver } from '../../../nodes/source-adapter.js';
import type { Store } from '../../store/store.js';
import { newId } from '../../store/ids.js';
import type { Clock } from '../clock.js';
import { parseJson } from '../json.js';
import { authenticateDelivery } from './delivery-auth.js';
import { commitDelivery } from './delivery-commit.js';
import { planDelivery } from './delivery-plan.js';
import type { EventRecorder } from './event-recorder.js';
import { notFoundReason, routeEntry, type DeliveryTrace } from './event-rows.js';
import type { HookRouter } from './hook-router.js';
import type { QueueCap } from './queue-cap.js';
import type { Scrubber } from '../secrets/scrub.js';

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
  store: Store;
  router: HookRouter;
  clock: Clock;
  secrets: SecretResolver;
  /** The team that owns stored secret `name` (undefined: an environment secret, usable by any flow). */
  secretTeam?: (name: string) => string | undefined;
  /** Every secret Salve holds, scrubbed from the event log's rows. */
  scrubber: Scrubber;
  executionDeadlineMs: number;
  /** The cap on queued executions: a delivery that would exceed it is refused with 503 (senders retry). */
  queueCap: QueueCap;
  onRejectedAuth?: (path: string, reasons: string[]) => void;
  /** For sources that call out while verifying (SNS certificates); tests inject a fake. */
  fetch?: typeof fetch;
  /** Records refused deliveries in the event log (kept by the engine: it holds the per-path cap). */
  recorder?: EventRecorder;
}

/**
 * Accepts one webhook delivery in three steps: authenticate over the raw bytes
 * (delivery-auth.ts), parse and plan what it starts (delivery-plan.ts), then store the event and
 * one execution per matching flow and alert in ONE transaction (delivery-commit.ts). Resolves
 * only after that commit, so a 202 always means "durably accepted".
 * Every delivery lands in the event log: in that transaction when it gets through, in a write
 * of its own when it is refused (event-recorder.ts: 400/401/404/413/415/422/503, capped per path),
 * whose log lines carry `reqId`, the HTTP request's id.
 */
export async function ingestDelivery(deps: IngestDeps, path: string, request: IngestRequest, reqId?: string): Promise<IngestResult> {
  const routes = deps.router.routes(path);
  const now = deps.clock.now();
  if (routes.length === 0) {
    // The answer names no flow (the caller is not authenticated); the record does.
    const error = new NotFoundError(`no enabled flow listens on /hooks/${path}`);
    const disabled = deps.router.disabledRoutes(path);
    void deps.recorder?.recordRefusal({
      path,
      now,
      request,
      routes: disabled,
      trace: { routes: disabled.map((r) => routeEntry(r, 'skipped', 'flow disabled')) },
      error,
      reason: notFoundReason(path, disabled, deps.router.paths()),
      reqId,
    });
    throw error;
  }
  // Event log: until a route is asked, it counts as skipped (e.g. the media type did not fit).
  const trace: DeliveryTrace = { routes: routes.map((r) => routeEntry(r, 'skipped', 'not checked')) };
  try {
    const ctx: IngestContext = { secrets: deps.secrets, now, fetch: deps.fetch ?? fetch };
    const authenticated = await authenticateDelivery(routes, request, ctx, trace, (reasons) => deps.onRejectedAuth?.(path, reasons), deps.secretTeam);
    const body = parseJson(request.rawBody);
    const base = { id: newId('ev', now), now, path, request, routes, trace, scrubber: deps.scrubber };
    const plan = await planDelivery(authenticated, body, request, ctx, { eventId: base.id, executionDeadlineMs: deps.executionDeadlineMs, scrubber: deps.scrubber }, trace);
    return await commitDelivery(deps, base, plan);
  } catch (error) {
    // Refused deliveries (401; 400/415/422; 503 for a full queue or a busy database) are
    // recorded after the answer is decided, in their own write that is not waited for: it
    // cannot delay or change the answer.
    void deps.recorder?.recordRefusal({ path, now, request, routes, trace, error, reqId });
    throw error;
  }
}
