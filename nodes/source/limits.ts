import { z } from 'zod';

/** Most alerts one delivery may carry (Alertmanager groups are far smaller in practice). */
export const MAX_ALERTS_PER_DELIVERY = 1000;
/** Most labels (and annotations) one alert may carry. */
export const MAX_LABELS_PER_ALERT = 256;
/** Largest label or annotation value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 4096;

const encoder = new TextEncoder();

/** Whether `text` is longer than `MAX_VALUE_BYTES` once encoded as UTF-8. */
export function exceedsValueLimit(text: string): boolean {
  // A UTF-16 unit encodes to 1–3 bytes, so only lengths in between need encoding.
  if (text.length * 3 <= MAX_VALUE_BYTES) return false;
  if (text.length > MAX_VALUE_BYTES) return true;
  return encoder.encode(text).length > MAX_VALUE_BYTES;
}

/** Problems with a label or annotation map, each naming its key (`[]` when within limits). */
export function stringMapIssues(map: Record<string, unknown>, what: 'labels' | 'annotations'): { key: string | undefined; message: string }[] {
  const issues: { key: string | undefined; message: string }[] = [];
  const keys = Object.keys(map);
  if (keys.length > MAX_LABELS_PER_ALERT) {
    issues.push({ key: undefined, message: `too many ${what}: ${keys.length} (at most ${MAX_LABELS_PER_ALERT})` });
  }
  for (const key of keys) {
    const value = map[key];
    if (typeof value === 'string' && exceedsValueLimit(value)) {
      issues.push({ key, message: `value is longer than ${MAX_VALUE_BYTES} bytes` });
    }
  }
  return issues;
}

/** A map of string values within the per-alert limits; issues name the offending key. */
export function boundedStringMap(what: 'labels' | 'annotations') {
  return z
    .record(z.string(), z.string({ error: 'must be a string' }), { error: `must be a map of ${what} to string values` })
    .superRefine((map, ctx) => {
      for (const issue of stringMapIssues(map, what)) {
        ctx.addIssue({ code: 'custom', path: issue.key === undefined ? [] : [issue.key], message: issue.message });
      }
    });
}
