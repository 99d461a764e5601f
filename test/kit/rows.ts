import type { EventRow } from '../../runtime/store/events-repo.js';
import { newId } from '../../runtime/store/ids.js';

/**
 * An event-log row for storage tests: an accepted Alertmanager delivery on `/hooks/infra` with one
 * alert and one run, received at `receivedAt` (id made from it unless given). Tests override what
 * they look at.
 */
export function eventRow(over: Partial<EventRow> & { receivedAt: number }): EventRow {
  return {
    id: newId('ev', over.receivedAt),
    path: 'infra',
    outcome: 'accepted',
    httpStatus: 202,
    sources: '["alertmanager"]',
    deliveryId: null,
    reason: null,
    remoteAddress: '127.0.0.1',
    headers: '{}',
    body: '{}',
    bodyBytes: 2,
    bodyTruncated: false,
    routes: '[]',
    alerts: '[]',
    matches: '[]',
    error: null,
    alertCount: 1,
    executionCount: 1,
    duplicateCount: 0,
    notStartedCount: 0,
    suppressedBefore: 0,
    ...over,
  };
}
