import { ValidationError } from '../../../shared/errors.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { EventMatch } from '../../../shared/event-log.js';
import type { HandshakeResult, IngestContext, IngestRequest } from '../../../nodes/source-adapter.js';
import { boundAlert } from '../../../nodes/source/limits.js';
import type { NewExecution } from '../../store/executions-repo.js';
import { newId } from '../../store/ids.js';
import { executionDedupKey } from '../dedup-key.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';
import { renderTargetKey } from '../limits/target-key.js';
import { cleanDeliveryId, EventAccumulator, type DeliveryTrace } from './event-rows.js';
import type { HookRoute } from './hook-router.js';
import type { Scrubber } from '../secrets/scrub.js';

/** One execution to create, with the match entry that says what became of it. */
interface PlannedRun {
  row: NewExecution;
  match: EventMatch;
  /** The flow's guard rails (commitDelivery decides queued or held in its write); `row.targetKey` is rendered here. */
  limits: FlowLimits | undefined;
}

/** What an authenticated delivery asks for, before anything is written. */
export type DeliveryPlan =
  /** A protocol message the source answered itself (subscription confirmation, ping): no run. */
  | { kind: 'handshake'; handshake: HandshakeResult; acc: EventAccumulator }
  | {
      kind: 'runs';
      acc: EventAccumulator;
      planned: PlannedRun[];
      /** Resolved alerts per flow: they mark that flow's runs of the same fingerprint. */
      resolved: { route: HookRoute; alert: Alert; match: EventMatch }[];
      /** Alerts a matching flow's source does not start runs for. */
      notStarted: number;
      /** Alerts in the delivery (the most any one source normalized it to). */
      alertCount: number;
    };

/**
 * The second step of a delivery, for the routes that accepted it: the source's delivery id →
 * handshake → normalize → match. Pure of storage: it plans one execution per matching flow and
 * alert, and commitDelivery writes them. Throws ValidationError (422) naming the field when a
 * source cannot read the body.
 */
export async function planDelivery(
  routes: readonly HookRoute[],
  body: unknown,
  request: IngestRequest,
  ctx: IngestContext,
  /** `scrubber`: every secret Salve holds, scrubbed from the stored alert (steps see `***` in its place). */
  run: { eventId: string; executionDeadlineMs: number; scrubber: Scrubber },
  trace: DeliveryTrace,
): Promise<DeliveryPlan> {
  for (const route of routes) {
    trace.deliveryId ??= cleanDeliveryId(route.adapter.deliveryId?.(route.node.config, request, body));
  }
  const acc = new EventAccumulator();
  for (const route of routes) {
    const handshake = await route.adapter.handshake?.(route.node.config, body, request, ctx);
    if (handshake) return { kind: 'handshake', handshake, acc };
  }
  const { now } = ctx;
  const planned: PlannedRun[] = [];
  const resolved: { route: HookRoute; alert: Alert; match: EventMatch }[] = [];
  let notStarted = 0;
  let alertCount = 0;
  for (const route of routes) {
    let alerts: Alert[];
    try {
      // Every source's alerts are held to the same limits (flows and the expression cost estimate rely on them).
      alerts = route.adapter.normalize(route.node.config, body, { now, request }).map(boundAlert);
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
        match.reason = route.adapter.notStartedReason(route.node.config, alert);
        notStarted++;
        continue;
      }
      const limits = route.flow.limits;
      const flowVars = { id: route.flow.id, name: route.flow.name, revision: route.revision };
      planned.push({
        match,
        limits,
        row: {
          id: newId('ex', now),
          flowId: route.flow.id,
          flowRevision: route.revision,
          eventId: run.eventId,
          sourceNodeId: route.node.id,
          dedupKey: executionDedupKey(route.node.id, alert),
          fingerprint: alert.fingerprint,
          alert: run.scrubber.json(JSON.stringify(alert)),
          status: 'queued',
          createdAt: now,
          updatedAt: now,
          deadlineAt: now + run.executionDeadlineMs,
          targetKey: renderTargetKey(limits, { alert, event: body, flow: flowVars }),
        },
      });
    }
  }
  return { kind: 'runs', acc, planned, resolved, notStarted, alertCount };
}
