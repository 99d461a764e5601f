/**
 * RFC 3339 as Go writes it (`time.RFC3339Nano`): a date, `T`, a time with an optional fraction of
 * up to nine digits, and `Z` or a zone offset such as `+08:00`.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `2023-03-25T14:39:51.68943305+08:00` → `2023-03-25T06:39:51.68943305Z`: the same instant in
 * UTC, keeping every fractional digit (a JavaScript Date would cut them to milliseconds).
 * Undefined when `text` is not an RFC 3339 timestamp.
 */
export function toUtcTimestamp(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, date, time, fraction = '', zone] = match;
  const ms = Date.parse(`${date}T${time}${zone!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction}Z`;
}

/** Whether `text` is an RFC 3339 timestamp. */
export const isRfc3339 = (text: string): boolean => toUtcTimestamp(text) !== undefined;

/** Alertmanager's "no end known yet" is Go's zero time. */
export const isZeroTime = (text: string | undefined): boolean => !text || text.startsWith('0001-01-01');
