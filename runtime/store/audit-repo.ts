import type { Db } from './db.js';
import { audit } from './schema.js';

/** Appends one audit record. `details` must not contain secret values. */
export function appendAudit(
  db: Db,
  entry: { actor: string; action: string; target: string; details?: unknown; now: number },
): void {
  db.insert(audit)
    .values({
      at: entry.now,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
    })
    .run();
}
