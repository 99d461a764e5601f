import type { EventOutcome } from '../../../shared/event-log.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
import { admissionColumns, admitRun } from '../limits/admit.js';
import { escalateHeld } from '../limits/on-held.js';
import { deliveredEventRow, deliveredReason, refsFor, type EventBase } from './event-rows.js';
import type { DeliveryPlan } from './delivery-plan.js';
import type { IngestResult } from './ingest.js';
import type { QueueCap } from './queue-cap.js';
import { flapReason, markFlap } from './flap.js';

/**
 * The last step of a delivery: its event row and the planned executions in ONE transaction.
 * Resolves only after that commit, so a 202 always means "durably accepted". An execution whose
 * dedup key this flow already has is a duplicate (the match names the earlier run); over the
 * queue cap the whole delivery rolls back (503).
 */
export function commitDelivery(deps: { store: Store; queueCap: QueueCap }, base: EventBase, plan: DeliveryPlan): Promise<IngestResult> {
  const { id: eventId, routes } = base;
  if (plan.kind === 'handshake') {
    const { handshake, acc } = plan;
    const counts = { alertCount: 0, executionCount: 0, duplicateCount: 0, notStartedCount: 0 };
    const row = deliveredEventRow(base, { outcome: 'handshake', httpStatus: handshake.status, reason: handshake.message, acc, ...counts });
    return deps.store.write((tx) => tx.events.insert(row, refsFor(routes))).then(() => ({
      eventId,
      executions: [],
      duplicates: 0,
      alerts: 0,
      handshake,
      outcome: 'handshake' as const,
    }));
  }
  return deps.store.write((tx) => deliveryTransaction(tx, deps.queueCap, base, plan));
}

/**
 * What a delivery that starts runs writes, in the caller's transaction, on either engine: per
 * planned run flap protection, the guard rails and the dedup key decide whether it starts, is
 * held, or is a duplicate; the queue cap refuses the whole delivery (the throw rolls it back);
 * resolved alerts mark their runs; the event row records all of it.
 */
export async function deliveryTransaction(tx: StoreTx, queueCap: QueueCap, base: EventBase, plan: Extract<DeliveryPlan, { kind: 'runs' }>): Promise<IngestResult> {
  const { id: eventId, now, path, routes, trace } = base;
  const { acc, planned, resolved, notStarted, alertCount } = plan;
  const created: { id: string; flowId: string }[] = [];
  let queued = 0;
  let flaps = 0;
  for (const { row, match, limits } of planned) {
    // The same incident again (the flow's flapWindow): no second run; the match names the first.
    if (await markFlap(tx, routes, row, match, now)) {
      flaps++;
      continue;
    }
    // A duplicate stays a duplicate (never held): with limits, look before deciding.
    const earlier = limits ? await tx.executions.idByDedupKey(row.flowId, row.dedupKey) : undefined;
    // Decided per run just before its insert: the runs inserted before it in this delivery count.
    const admission = earlier ? undefined : await admitRun(tx, { flowId: row.flowId, limits, targetKey: row.targetKey ?? null, now });
    const toInsert = admission ? { ...row, ...admissionColumns(admission, row.targetKey ?? null, now) } : row;
    if (!earlier && (await tx.executions.insertIfNew(toInsert))) {
      created.push({ id: row.id, flowId: row.flowId });
      match.executionId = row.id;
      if (admission?.status === 'held') {
        match.result = 'held';
        match.reason = admission.reason;
        await escalateHeld(tx, { flowId: row.flowId, executionId: row.id, limits, admission, targetKey: row.targetKey ?? null, now, executionDeadlineMs: row.deadlineAt - now, scrubber: base.scrubber });
      } else {
        match.result = 'started';
        queued++;
      }
    } else {
      match.result = 'duplicate';
      match.reason = 'already handled: same alert delivered again';
      const first = earlier ?? (await tx.executions.idByDedupKey(row.flowId, row.dedupKey));
      if (first) match.executionId = first;
    }
  }
  // Counted in this transaction: over the cap, the throw rolls back this delivery's inserts (held runs are not queued).
  await queueCap.admit(tx, queued);
  // A resolved alert marks the runs of its flow with the same fingerprint, whether or not it starts one.
  for (const { route, alert, match } of resolved) {
    const at = Date.parse(alert.endsAt);
    const ids = await tx.executions.markAlertResolved(route.flow.id, alert.fingerprint, Number.isNaN(at) ? now : at);
    if (ids.length) {
      match.resolvedExecutionIds = ids;
      // Their `wait.resolved` steps continue at the next tick (it knows each run's flow revision).
      await tx.steps.wakeWaiting(ids, 'resolved', now);
    }
  }
  // A flap counts as handled already, like a duplicate.
  const duplicates = planned.length - created.length;
  const seenDelivery = trace.deliveryId !== undefined && (await tx.events.seenDelivery(path, trace.deliveryId));
  const outcome: EventOutcome = created.length > 0 ? 'accepted' : duplicates > 0 || seenDelivery ? 'duplicate' : 'ignored';
  await tx.events.insert(
    deliveredEventRow(base, {
      outcome,
      httpStatus: 202,
      reason: flaps > 0 && flaps === duplicates && !seenDelivery && outcome === 'duplicate' ? flapReason(acc.matches) : deliveredReason(outcome, acc, alertCount, seenDelivery),
      acc,
      alertCount,
      executionCount: created.length,
      duplicateCount: duplicates,
      notStartedCount: notStarted,
    }),
    refsFor(routes),
  );
  return { eventId, executions: created, duplicates, alerts: alertCount, outcome };
}
