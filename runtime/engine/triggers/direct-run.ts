import type { Alert } from '../../../shared/alert/schema.js';
import type { EventMatch, EventRoute } from '../../../shared/event-log.js';
import type { FlowNode } from '../../../shared/flow/schema.js';
import { eventRef } from '../../store/events-repo.js';
import type { StoreTx } from '../../store/tx.js';
import { newId } from '../../store/ids.js';
import { executionDedupKey } from '../dedup-key.js';
import { scrubbedEventRow, sourceName, withoutRaw } from '../ingest/event-rows.js';
import type { Scrubber } from '../secrets/scrub.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';
import { admissionColumns, admitRun } from '../limits/admit.js';
import { escalateHeld } from '../limits/on-held.js';
import { renderTargetKey } from '../limits/target-key.js';

/** What a run that no webhook delivered needs: a schedule tick or a manual run. */
export interface DirectRun {
  flowId: string;
  revision: number;
  node: FlowNode;
  alert: Alert;
  /** Stored as the event's body: the run's `event`. */
  payload: unknown;
  /** How the event log shows where it came from, e.g. `schedule/<flow>/<node>` (never a hook path: those are slugs). */
  path: string;
  now: number;
  deadlineMs: number;
  executionId?: string;
  /** A run started by hand: who started it (`user:<id>` or `admin`), for no-self-approval. */
  startedBy?: string;
  /** Every secret Salve holds, scrubbed from the event row and the stored alert (a manual run's payload is typed by a person). */
  scrubber: Scrubber;
  /** The flow's guard rails and name (its target key reads `flow`): the run is created `held` when one holds it. */
  limits?: FlowLimits;
  flowName?: string;
  /** The run's `input` (an onHeld escalation passes what was held). */
  input?: Record<string, unknown>;
  /** False for an onHeld escalation run: one that is held itself escalates no further. */
  escalate?: boolean;
}

/**
 * Queues one execution and records its event (the payload, so templates can read `event`), in
 * the caller's transaction; the flow's guard rails (`limits`) may create it `held` instead
 * (`held: true`: it is not queued). Returns the ids, or undefined when this flow already has a run with
 * the alert's dedup key (nothing is written then).
 */
export async function queueDirectRun(tx: StoreTx, run: DirectRun): Promise<{ executionId: string; eventId: string; held: boolean } | undefined> {
  const executionId = run.executionId ?? newId('ex', run.now);
  const eventId = newId('ev', run.now);
  const dedupKey = executionDedupKey(run.node.id, run.alert);
  // A duplicate stays a duplicate (never held): with limits, look before deciding.
  if (run.limits && (await tx.executions.idByDedupKey(run.flowId, dedupKey))) return undefined;
  const targetKey = renderTargetKey(run.limits, { alert: run.alert, event: run.payload, flow: { id: run.flowId, name: run.flowName ?? run.flowId, revision: run.revision } });
  const admission = await admitRun(tx, { flowId: run.flowId, limits: run.limits, targetKey, now: run.now });
  const inserted = await tx.executions.insertIfNew({
    id: executionId,
    flowId: run.flowId,
    flowRevision: run.revision,
    eventId,
    sourceNodeId: run.node.id,
    dedupKey,
    fingerprint: run.alert.fingerprint,
    alert: run.scrubber.json(JSON.stringify(run.alert)),
    createdAt: run.now,
    updatedAt: run.now,
    deadlineAt: run.now + run.deadlineMs,
    startedBy: run.startedBy ?? null,
    input: run.input ? JSON.stringify(run.input) : null,
    ...admissionColumns(admission, targetKey, run.now),
  });
  if (!inserted) return undefined;
  const held = admission.status === 'held';
  const source = sourceName(run.node.type);
  const body = JSON.stringify(run.payload);
  const route: EventRoute = { flowId: run.flowId, nodeId: run.node.id, source, result: 'authenticated' };
  const match: EventMatch = held
    ? { flowId: run.flowId, nodeId: run.node.id, alertIndex: 0, result: 'held', executionId, reason: admission.reason }
    : { flowId: run.flowId, nodeId: run.node.id, alertIndex: 0, result: 'started', executionId };
  await tx.events.insert(
    scrubbedEventRow({
      id: eventId,
      receivedAt: run.now,
      path: run.path,
      outcome: 'accepted',
      httpStatus: 202,
      sources: JSON.stringify([source]),
      deliveryId: null,
      reason: null,
      remoteAddress: null,
      headers: '{}',
      body,
      bodyBytes: Buffer.byteLength(body),
      bodyTruncated: false,
      routes: JSON.stringify([route]),
      alerts: JSON.stringify([withoutRaw(run.alert)]),
      matches: JSON.stringify([match]),
      error: null,
      alertCount: 1,
      executionCount: 1,
      duplicateCount: 0,
      notStartedCount: 0,
      suppressedBefore: 0,
    }, run.scrubber),
    [eventRef.flow(run.flowId), eventRef.source(source)],
  );
  if (held && run.escalate !== false) {
    await escalateHeld(tx, { flowId: run.flowId, executionId, limits: run.limits, admission, targetKey, now: run.now, executionDeadlineMs: run.deadlineMs, scrubber: run.scrubber });
  }
  return { executionId, eventId, held };
}
