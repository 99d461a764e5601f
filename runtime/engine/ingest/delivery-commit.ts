import type { EventOutcome } from '../../../shared/event-log.js';
import type { SqliteStore } from '../../store/db.js';
import { eventsRepo } from '../../store/events-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { stepsRepo } from '../../store/steps-repo.js';
import { admissionColumns, admitRun } from '../limits/admit.js';
import { escalateHeld } from '../limits/on-held.js';
import { deliveredEventRow, deliveredReason, refsFor, type EventBase } from './event-rows.js';
import type { DeliveryPlan } from './delivery-plan.js';
import type { IngestResult } from './ingest.js';
import type { QueueCap } from './queue-cap.js';

/**
 * The last step of a delivery: its event row and the planned executions in ONE transaction.
 * Resolves only after that commit, so a 202 always means "durably accepted". An execution whose
 * dedup key this flow already has is a duplicate (the match names the earlier run); over the
 * queue cap the whole delivery rolls back (503).
 */
export function commitDelivery(deps: { store: SqliteStore; queueCap: QueueCap }, base: EventBase, plan: DeliveryPlan): Promise<IngestResult> {
  const { id: eventId, now, path, routes, trace } = base;
  if (plan.kind === 'handshake') {
    const { handshake, acc } = plan;
    const counts = { alertCount: 0, executionCount: 0, duplicateCount: 0, notStartedCount: 0 };
    const row = deliveredEventRow(base, { outcome: 'handshake', httpStatus: handshake.status, reason: handshake.message, acc, ...counts });
    return deps.store.write((db) => eventsRepo.insert(db, row, refsFor(routes))).then(() => ({
      eventId,
      executions: [],
      duplicates: 0,
      alerts: 0,
      handshake,
      outcome: 'handshake' as const,
    }));
  }
  const { acc, planned, resolved, notStarted, alertCount } = plan;
  return deps.store.write((db) => {
    const created: { id: string; flowId: string }[] = [];
    let queued = 0;
    for (const { row, match, limits } of planned) {
      // A duplicate stays a duplicate (never held): with limits, look before deciding.
      const earlier = limits ? executionsRepo.idByDedupKey(db, row.flowId, row.dedupKey) : undefined;
      // Decided per run just before its insert: the runs inserted before it in this delivery count.
      const admission = earlier ? undefined : admitRun(db, { flowId: row.flowId, limits, targetKey: row.targetKey ?? null, now });
      const toInsert = admission ? { ...row, ...admissionColumns(admission, row.targetKey ?? null, now) } : row;
      if (!earlier && executionsRepo.insertIfNew(db, toInsert)) {
        created.push({ id: row.id, flowId: row.flowId });
        match.executionId = row.id;
        if (admission?.status === 'held') {
          match.result = 'held';
          match.reason = admission.reason;
          escalateHeld(db, { flowId: row.flowId, executionId: row.id, limits, admission, targetKey: row.targetKey ?? null, now, executionDeadlineMs: row.deadlineAt - now, scrubber: base.scrubber });
        } else {
          match.result = 'started';
          queued++;
        }
      } else {
        match.result = 'duplicate';
        match.reason = 'already handled: same alert delivered again';
        const first = earlier ?? executionsRepo.idByDedupKey(db, row.flowId, row.dedupKey);
        if (first) match.executionId = first;
      }
    }
    // Counted in this transaction: over the cap, the throw rolls back this delivery's inserts (held runs are not queued).
    deps.queueCap.admit(db, queued);
    // A resolved alert marks the runs of its flow with the same fingerprint, whether or not it starts one.
    for (const { route, alert, match } of resolved) {
      const at = Date.parse(alert.endsAt);
      const ids = executionsRepo.markAlertResolved(db, route.flow.id, alert.fingerprint, Number.isNaN(at) ? now : at);
      if (ids.length) {
        match.resolvedExecutionIds = ids;
        // Their `wait.resolved` steps continue at the next tick (it knows each run's flow revision).
        stepsRepo.wakeWaiting(db, ids, 'resolved', now);
      }
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
