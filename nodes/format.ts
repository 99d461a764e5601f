/** Replaces each `{{ … }}` part of `text` with `{{…}}`, so canvas summaries stay short. */
export function abbreviateTemplates(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, '{{…}}');
}

/**
 * One argv element, quoted only when it would be ambiguous unquoted (empty, or holding spaces,
 * quotes or backslashes). No shell ever sees argv, so `;` or `$` need no quoting: they are
 * literal text either way.
 */
export function showArg(arg: string): string {
  return arg === '' || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg;
}

const UNITS: [seconds: number, name: string][] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
  [1, 's'],
];

/** Whole seconds split into every unit, largest first, zero counts included. */
function unitCounts(seconds: number): { count: number; name: string }[] {
  let rest = seconds;
  return UNITS.map(([size, name]) => {
    const count = Math.floor(rest / size);
    rest %= size;
    return { count, name };
  });
}

const spoken = (parts: { count: number; name: string }[]) => parts.map((p) => `${p.count} ${p.name}`).join(' ');

/**
 * A duration as people say it; `unit` is what `amount` counts.
 * - `'s'`: a configured duration (a delay, a timeout), shown exactly in every unit it has:
 *   `45 s`, `5 min`, `1 h 30 min 5 s`, `7 d`.
 * - `'ms'`: a measured one (how long a step took), shown with two units at most, and with
 *   sub-second precision below 10 s because steps are often fast: `420 ms`, `4.2 s`, `3 min 5 s`,
 *   `2 h 10 min`.
 * Negative amounts (clock skew between two times) count as zero.
 */
export function formatDuration(amount: number, unit: 's' | 'ms'): string {
  if (unit === 's') {
    const parts = unitCounts(Math.max(0, Math.round(amount))).filter((p) => p.count > 0);
    return parts.length > 0 ? spoken(parts) : '0 s';
  }
  const ms = Math.max(0, Math.round(amount));
  if (ms < 1000) return `${ms} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const parts = unitCounts(Math.floor(ms / 1000));
  const first = parts.findIndex((p) => p.count > 0);
  return spoken(parts.slice(first, first + 2).filter((p) => p.count > 0));
}
