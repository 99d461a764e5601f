import { z } from 'zod';
import type { Alert } from '../../shared/alert/schema.js';
import { MAX_ALERT_TEXT_BYTES, MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES } from '../../shared/alert/limits.js';
import { ValidationError, type Issue } from '../../shared/errors.js';
import { isPlainObject } from '../../shared/guards.js';
import { exceedsBytes, truncate, truncateBytes } from '../../shared/text.js';

export { MAX_ALERT_TEXT_BYTES, MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES } from '../../shared/alert/limits.js';

/** Most alerts one delivery may carry (Alertmanager groups are far smaller in practice). */
export const MAX_ALERTS_PER_DELIVERY = 1000;

/** Whether `text` is longer than `MAX_VALUE_BYTES` once encoded as UTF-8. */
export function exceedsValueLimit(text: string): boolean {
  return exceedsBytes(text, MAX_VALUE_BYTES);
}

/** A key short enough to echo in an error message (a 4 KiB label name is not useful there). */
function shownKey(key: string): string {
  return truncate(key, 65);
}

/** Problems with a label or annotation map, each naming its key (`[]` when within limits). */
export function stringMapIssues(map: Record<string, unknown>, what: 'labels' | 'annotations'): { key: string | undefined; message: string }[] {
  const issues: { key: string | undefined; message: string }[] = [];
  const keys = Object.keys(map);
  if (keys.length > MAX_LABELS_PER_ALERT) {
    issues.push({ key: undefined, message: `too many ${what}: ${keys.length} (at most ${MAX_LABELS_PER_ALERT})` });
  }
  for (const key of keys) {
    if (exceedsValueLimit(key)) issues.push({ key: shownKey(key), message: `name is longer than ${MAX_VALUE_BYTES} bytes` });
    const value = map[key];
    if (typeof value === 'string' && exceedsValueLimit(value)) {
      issues.push({ key: shownKey(key), message: `value is longer than ${MAX_VALUE_BYTES} bytes` });
    }
  }
  return issues;
}

/**
 * A map of string values within the per-alert limits; issues name the offending key. Built by
 * hand rather than with `z.record`: zod leaves out a key named `__proto__` (silently), and a
 * label is data whatever its name. `Object.fromEntries` defines every key as an own property.
 */
export function boundedStringMap(what: 'labels' | 'annotations') {
  return z
    .custom<Record<string, unknown>>(isPlainObject, { error: `must be a map of ${what} to string values` })
    .transform((input, ctx) => {
      const entries: [string, string][] = [];
      for (const [key, value] of Object.entries(input)) {
        if (typeof value === 'string') entries.push([key, value]);
        else ctx.issues.push({ code: 'custom', path: [shownKey(key)], message: 'must be a string', input: value });
      }
      const map = Object.fromEntries(entries) as Record<string, string>;
      for (const issue of stringMapIssues(map, what)) {
        ctx.issues.push({ code: 'custom', path: issue.key === undefined ? [] : [issue.key], message: issue.message, input });
      }
      return map;
    });
}

const TEXT_FIELDS = ['source', 'status', 'name', 'severity', 'fingerprint', 'dedupKey', 'startsAt', 'endsAt'] as const;

/**
 * Holds an alert from any source to the limits in shared/alert/limits.ts, so flows and the
 * expression cost estimate can rely on them: labels and annotations (count, name and value
 * sizes) and identity fields beyond their limit refuse the delivery (ValidationError naming the
 * field); text meant for people (`summary`, `description`) is cut, and an overlong link is left
 * out, because dropping a whole alert for those would lose it (senders do not retry a 4xx).
 */
export function boundAlert(alert: Alert): Alert {
  const issues: Issue[] = [];
  for (const what of ['labels', 'annotations'] as const) {
    for (const issue of stringMapIssues(alert[what], what)) issues.push({ path: ['alert', what, ...(issue.key === undefined ? [] : [issue.key])], message: issue.message });
  }
  for (const field of TEXT_FIELDS) {
    if (exceedsBytes(alert[field], MAX_ALERT_TEXT_BYTES)) issues.push({ path: ['alert', field], message: `is longer than ${MAX_ALERT_TEXT_BYTES} bytes` });
  }
  if (issues.length > 0) throw new ValidationError('the alert is larger than Salve accepts', issues.slice(0, 20));
  const links: Alert['links'] = Object.fromEntries(
    Object.entries(alert.links).filter(([, url]) => typeof url === 'string' && !exceedsBytes(url, MAX_ALERT_TEXT_BYTES)),
  );
  return {
    ...alert,
    summary: truncateBytes(alert.summary, MAX_ALERT_TEXT_BYTES),
    description: truncateBytes(alert.description, MAX_ALERT_TEXT_BYTES),
    links,
  };
}
