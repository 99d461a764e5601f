import type { EventDetail, EventSummary } from '../../../shared/event-log.js';
import { DELIVERY_SAMPLE, type TestInput } from '../flow-editor/test-input.js';

/**
 * A stored delivery as a flow's test payload ("Use as test payload" on the Events page and a
 * run; "Latest deliveries" in the Test tab). Only a complete JSON body can be tested: a refused
 * delivery's body is cut at 4 KiB, a 413's is not stored, and sources read JSON.
 */

/** Two digits, for clock times. */
const pad = (n: number) => String(n).padStart(2, '0');

/** `14:02:11` today (local time), `Dec 3 14:02:11` on another day. */
export function deliveryTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const clock = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? clock : `${at.toLocaleDateString('en', { month: 'short', day: 'numeric' })} ${clock}`;
}

/** What the Test tab calls a delivery, e.g. `Delivery 14:02:11 · accepted · DiskFull, DiskFull +1`. */
export function deliveryLabel(event: Pick<EventSummary, 'receivedAt' | 'outcome' | 'alertNames' | 'alertCount'>, now?: Date): string {
  const names = event.alertNames.slice(0, 2).join(', ');
  const more = event.alertCount > 2 ? ` +${event.alertCount - 2}` : '';
  return `Delivery ${deliveryTime(event.receivedAt, now)} · ${event.outcome}${names ? ` · ${names}${more}` : ''}`;
}

/** Why a delivery's body cannot be a test payload, as far as its list row tells; null when it may. */
export function unusableBody(event: Pick<EventSummary, 'bodyTruncated' | 'bodyBytes' | 'httpStatus'>): string | null {
  if (event.bodyTruncated) return event.httpStatus === 413 ? 'its body was over the size limit and not stored' : 'only the first 4 KiB of its body is stored';
  if (event.bodyBytes === 0) return 'its body is empty';
  return null;
}

/**
 * The test input for `sourceNodeId` with the delivery's body (pretty-printed), or the reason
 * (for "Cannot use this delivery: …") when its body is cut, empty or not JSON.
 */
export function deliveryTestInput(
  event: Pick<EventDetail, 'id' | 'body' | 'bodyTruncated' | 'bodyBytes' | 'httpStatus' | 'receivedAt' | 'outcome' | 'alertNames' | 'alertCount'>,
  sourceNodeId: string,
  now?: Date,
): TestInput | { reason: string } {
  const unusable = unusableBody(event);
  if (unusable) return { reason: unusable };
  let payload: unknown;
  try {
    payload = JSON.parse(event.body);
  } catch {
    return { reason: 'its body is not JSON' };
  }
  return {
    sourceNodeId,
    sample: DELIVERY_SAMPLE,
    payloadText: JSON.stringify(payload, null, 2),
    delivery: { eventId: event.id, label: deliveryLabel(event, now) },
  };
}

/** The source node of `flowId` that received the delivery (its first route on the path); undefined when the flow was not on it. */
export function receivingNode(event: Pick<EventDetail, 'routes'>, flowId: string): string | undefined {
  return event.routes.find((r) => r.flowId === flowId)?.nodeId;
}
