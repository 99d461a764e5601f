import type { Alert } from '../../../shared/alert/schema.js';
import { evaluateCel } from '../../../shared/expr/index.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';

/**
 * The key of a target whose key could not be rendered (the expression failed, gave null, an
 * empty string, a list or a map). Such runs all share this one key: conservative, since they
 * count as one target for the cooldown and concurrency, and as one more for the blast radius.
 */
const UNKNOWN_TARGET = '(unknown)';

/** A rendered key longer than this is cut (it is stored on every run and shown in reasons). */
const MAX_KEY_LENGTH = 256;

/**
 * Renders the flow's target key (`limits.target.key`, CEL) for a run: null when the flow has no
 * target, else a non-empty string. The expression runs with the shared evaluator and its budget;
 * a failure or a value that names no target gives UNKNOWN_TARGET (never an exception: a broken
 * key must not stop alerts from being recorded).
 */
export function renderTargetKey(
  limits: FlowLimits | undefined,
  vars: { alert: Alert; event?: unknown; flow: { id: string; name: string; revision: number } },
): string | null {
  const source = limits?.target?.key;
  if (source === undefined) return null;
  let value: unknown;
  try {
    value = evaluateCel(source, { alert: vars.alert, event: vars.event ?? null, flow: vars.flow });
  } catch {
    return UNKNOWN_TARGET;
  }
  const key = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : '';
  return key.trim() === '' ? UNKNOWN_TARGET : key.slice(0, MAX_KEY_LENGTH);
}
