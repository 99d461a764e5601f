import { createHash } from 'node:crypto';

/** A stable identity for an alert without one of its own: source, name and sorted labels. */
export function labelFingerprint(source: string, name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify([source, name, sorted])).digest('hex').slice(0, 16);
}
