/**
 * Times as an on-call operator reads them: "3 min ago", "in 14 min". Pure, so the pages can
 * re-render them on a ticker and the tests can pin `now`. Every page says relative times this
 * way (the runs, the events, the flows list); durations are nodes/format.ts `formatDuration`.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds since the epoch for an RFC 3339 time, or null when absent or unparsable. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The largest whole unit of a positive span: `12 s`, `3 min`, `2 h`, `5 d`. */
export function span(ms: number): string {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
}

/**
 * `iso` relative to `now`: "just now", "12 s ago", "3 min ago", "in 14 min". Past 30 days the
 * relative form stops helping, so the calendar date is given instead.
 */
export function formatRelative(iso: string, now: number): string {
  const at = parseTime(iso);
  if (at === null) return iso;
  const diff = now - at;
  const abs = Math.abs(diff);
  if (abs < 5 * SECOND) return 'just now';
  if (abs >= 30 * DAY) return iso.slice(0, 10);
  return diff > 0 ? `${span(abs)} ago` : `in ${span(abs)}`;
}

/**
 * How long something took, or has been taking: from `start` to `end`, or to `now` while it is
 * still going (`end` absent). Null when it never started.
 */
export function elapsed(start: string | null | undefined, end: string | null | undefined, now: number): number | null {
  const from = parseTime(start);
  if (from === null) return null;
  const to = parseTime(end) ?? now;
  return Math.max(0, to - from);
}

/** The exact time for a tooltip: the ISO form (what the API and logs show) and the local clock. */
export function exactTime(iso: string): string {
  const at = parseTime(iso);
  if (at === null) return iso;
  return `${iso} (${new Date(at).toLocaleString()})`;
}
