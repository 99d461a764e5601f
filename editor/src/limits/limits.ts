import { formatDuration } from '../../../nodes/format.js';
import type { BreakerView } from '../../../shared/api-views.js';
import type { FlowLimits, LimitName } from '../../../shared/flow/limits.js';

/*
 * A flow's guard rails (`limits` in the flow document) in the words an on-call operator reads:
 * windows in minutes or hours rather than seconds, one sentence for what the limits allow, and
 * the limit names a held run shows. Pure, so the settings panel, the run page and the tests share
 * them.
 */

/** The units a window is typed in; the document stores seconds. */
export const WINDOW_UNITS = [
  { unit: 's', seconds: 1, label: 'seconds' },
  { unit: 'min', seconds: 60, label: 'minutes' },
  { unit: 'h', seconds: 3600, label: 'hours' },
  { unit: 'd', seconds: 86_400, label: 'days' },
] as const;
export type WindowUnit = (typeof WINDOW_UNITS)[number]['unit'];

const unitSeconds = (unit: WindowUnit) => WINDOW_UNITS.find((u) => u.unit === unit)!.seconds;

/** The largest unit that counts `seconds` whole: 600 → 10 min, 5400 → 90 min, 7200 → 2 h. */
export function splitWindow(seconds: number): { amount: number; unit: WindowUnit } {
  for (const u of [...WINDOW_UNITS].reverse()) {
    if (seconds >= u.seconds && seconds % u.seconds === 0) return { amount: seconds / u.seconds, unit: u.unit };
  }
  return { amount: seconds, unit: 's' };
}

/**
 * Seconds for what was typed, or NaN when it is no number (the schema then names the field).
 * Fractions are kept to the second: 1.5 h → 5400.
 */
export function windowSeconds(amount: string, unit: WindowUnit): number {
  if (amount.trim() === '') return Number.NaN;
  const n = Number(amount);
  return Number.isFinite(n) ? Math.round(n * unitSeconds(unit)) : Number.NaN;
}

/** A window as said aloud: 600 → "10 min", 3600 → "1 h", 86400 → "1 d"; not a valid number → "?". */
export function showWindow(seconds: number | undefined): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? formatDuration(seconds, 's') : '?';
}

const count = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : '?');

const plural = (n: number | undefined, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/**
 * What one target is called, from the key: `alert.labels.instance` → "instance",
 * `alert.labels["host"]` → "host"; anything else → "target".
 */
export function targetNoun(key: string | undefined): string {
  const source = (key ?? '').trim();
  const dotted = /^alert\.labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(source);
  const indexed = /^alert\.labels\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]$/.exec(source);
  const name = dotted?.[1] ?? indexed?.[1];
  if (!name) return 'target';
  // `instance_name` reads as "instance name".
  return name.replace(/_/g, ' ').toLowerCase();
}

const pluralNoun = (noun: string) => (/(s|x|sh|ch)$/.test(noun) ? `${noun}es` : `${noun}s`);

/**
 * The limits as one sentence, e.g. "At most 3 hosts per 10 min; the same host not twice within
 * 30 min." Null when there are none.
 */
export function limitsSummary(limits: FlowLimits | undefined, flowName?: (id: string) => string): string | null {
  if (!limits) return null;
  const parts: string[] = [];
  const noun = targetNoun(limits.target?.key);
  const nouns = pluralNoun(noun);
  if (limits.maxRunsPerWindow) parts.push(`at most ${plural(limits.maxRunsPerWindow.runs, 'run')} per ${showWindow(limits.maxRunsPerWindow.window)}`);
  if (limits.blastRadius) {
    const n = limits.blastRadius.targets;
    parts.push(`at most ${count(n)} ${n === 1 ? noun : nouns} per ${showWindow(limits.blastRadius.window)}`);
  }
  if (limits.target?.cooldown !== undefined) parts.push(`the same ${noun} not twice within ${showWindow(limits.target.cooldown)}`);
  if (limits.target?.maxConcurrent !== undefined) {
    const n = limits.target.maxConcurrent;
    parts.push(n === 1 ? `one run at a time per ${noun}` : `at most ${count(n)} runs at a time per ${noun}`);
  }
  if (limits.breaker) {
    parts.push(`stop starting runs after ${plural(limits.breaker.failures, 'failed run')} within ${showWindow(limits.breaker.window)}, until someone resets it`);
  }
  if (parts.length === 0) return null;
  const first = parts[0]!;
  let sentence = `${first[0]!.toUpperCase()}${first.slice(1)}${parts.length > 1 ? `; ${parts.slice(1).join('; ')}` : ''}.`;
  if (limits.onHeld) sentence += ` A held run starts ${flowName ? `“${flowName(limits.onHeld.flow)}”` : limits.onHeld.flow}.`;
  else if (parts.length > 0) sentence += ' A run over a limit is held until a person releases or cancels it.';
  return sentence;
}

/** The names of the limits that hold runs, as the run page and the Runs list say them. */
const LIMIT_WORDS: Record<LimitName, string> = {
  maxRunsPerWindow: 'the runs-per-window limit',
  cooldown: 'the target cooldown',
  maxConcurrent: 'the runs-at-once-per-target limit',
  blastRadius: 'the blast radius limit',
  breaker: 'the circuit breaker',
};

/** "Held by the target cooldown" for a held run's banner; an unknown limit is named as sent. */
export function heldBy(limit: string): string {
  return `Held by ${(LIMIT_WORDS as Record<string, string>)[limit] ?? limit}`;
}

/**
 * A held run's reason without the limit's own name in front (the engine writes
 * "cooldown: web-1 was remediated…"; the banner already says "Held by the target cooldown").
 */
export function heldReason(held: { limit: string; reason: string }): string {
  const prefix = `${held.limit}: `;
  const rest = held.reason.startsWith(prefix) ? held.reason.slice(prefix.length) : held.reason;
  return rest === '' ? held.reason : rest;
}

/** Who released a held run, in words: "you" for oneself, else the name the server resolved (the identity when it could not). */
export function releaserName(released: { by: string; name?: string }, self: { id?: string; name?: string } | undefined): string {
  const { by, name } = released;
  if (self?.id && by === `user:${self.id}`) return self.name ? `you (${self.name})` : 'you';
  if (by === 'admin') return 'the admin token';
  if (name && name !== 'unknown') return name;
  return by.startsWith('user:') ? by.slice('user:'.length) : by;
}

/** "3 failed runs within 15 min" for the policy, or the count of failures when the policy is gone. */
export function breakerCause(view: Pick<BreakerView, 'failures' | 'policy'>): string {
  const n = view.policy?.failures ?? view.failures?.length ?? 0;
  const runs = `${n} failed run${n === 1 ? '' : 's'}`;
  return view.policy ? `${runs} within ${showWindow(view.policy.window)}` : runs;
}
