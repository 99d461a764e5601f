import { createHash } from 'node:crypto';
import type { Alert } from '../../shared/alert/schema.js';

/**
 * The identity of an execution: same flow + same source node + same notification identity
 * (`alert.dedupKey`) = already handled. The store keeps it unique per flow, so a webhook
 * delivered twice, a schedule tick seen by two processes or a restart never runs twice.
 */
export function executionDedupKey(nodeId: string, alert: Pick<Alert, 'dedupKey'>): string {
  return createHash('sha256').update(JSON.stringify([nodeId, alert.dedupKey])).digest('hex');
}
