import { Cron } from 'croner';

/**
 * Cron expressions for `source.schedule`, through croner. Browser-safe: the editor checks an
 * expression and shows its next runs with the same code the runtime schedules with.
 */

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Whether `name` is a time zone this runtime knows, by its IANA name (`UTC`, `Europe/Berlin`). */
export function isTimeZone(name: string): boolean {
  if (!IANA_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function compile(expression: string, timezone: string): Cron {
  // No function: croner only computes times and never starts a timer of its own.
  return new Cron(expression, { timezone, mode: '5-or-6-parts', paused: true });
}

/** Why `expression` is not a usable cron expression, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  // croner fills `?` with the time it was started at, so the schedule would depend on when Salve started.
  if (text.includes('?')) return 'use "*" instead of "?": "?" would mean "the time Salve started"';
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && fields !== 5 && fields !== 6) {
    return `needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found ${fields}`;
  }
  let cron: Cron;
  try {
    cron = compile(text, 'UTC');
  } catch (error) {
    return `not a cron expression: ${String((error as Error).message).replace(/^CronPattern: /, '')}`;
  }
  // E.g. `0 0 31 2 *` (31 February) parses but never comes.
  if (!cron.nextRun(new Date(Date.UTC(2000, 0, 1)))) return 'this expression never matches a date';
  return undefined;
}

/** The first `n` ticks strictly after `after` (epoch ms), as epoch ms. */
export function nextTicks(expression: string, timezone: string, after: number, n: number): number[] {
  return compile(expression, timezone)
    .nextRuns(n, new Date(after))
    .map((d) => d.getTime());
}

/**
 * A compiled schedule. Ticks are whole seconds; `after`/`atOrBefore` are epoch milliseconds.
 */
export class CronSchedule {
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    this.cron = compile(expression, timezone);
  }

  /** The first tick strictly after `after`, or undefined when there is none. */
  next(after: number): number | undefined {
    return this.cron.nextRun(new Date(after))?.getTime();
  }

  /** The latest tick at or before `atOrBefore`, or undefined. */
  latest(atOrBefore: number): number | undefined {
    // previousRuns() leaves out a tick exactly at the reference; one millisecond later includes it.
    return this.cron.previousRuns(1, new Date(atOrBefore + 1))[0]?.getTime();
  }
}

/** `09:15`, `09:15:30` (when seconds matter) or `Nov 25 09:15`, in `timezone`. */
function formatTick(at: number, timezone: string, opts: { seconds: boolean; date: boolean }): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(opts.seconds ? { second: '2-digit' as const } : {}),
    ...(opts.date ? { month: 'short' as const, day: 'numeric' as const } : {}),
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const time = [get('hour'), get('minute'), ...(opts.seconds ? [get('second')] : [])].join(':');
  return opts.date ? `${get('month')} ${get('day')} ${time}` : time;
}

/** `next 09:15, 09:20, 09:25` — the next three ticks after `now`, in the schedule's time zone. */
export function describeNextTicks(expression: string, timezone: string, now: number): string {
  const ticks = nextTicks(expression, timezone, now, 3);
  if (ticks.length === 0) return 'never runs';
  const seconds = ticks.some((t) => t % 60_000 !== 0);
  const day = (t: number) => formatTick(t, timezone, { seconds: false, date: true }).split(' ').slice(0, 2).join(' ');
  const today = day(now);
  const date = ticks.some((t) => day(t) !== today);
  return `next ${ticks.map((t) => formatTick(t, timezone, { seconds, date })).join(', ')}`;
}
