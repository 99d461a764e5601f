import { createHash } from 'node:crypto';

/**
 * A stable identity for an alert that brings none: SHA-256 (hex) of its labels sorted by name,
 * plus `extra` parts (e.g. the alert name). Label order in the payload does not matter.
 */
export function labelsFingerprint(labels: Record<string, string>, ...extra: string[]): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify([sorted, ...extra])).digest('hex');
}
