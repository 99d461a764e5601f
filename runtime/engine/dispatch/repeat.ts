import type { FlowNode } from '../../../shared/flow/schema.js';
import { retryDelayMs } from '../../../shared/flow/retry.js';
import type { NodeDefinition } from '../../../nodes/definition.js';
import type { StepOutcome } from '../../../nodes/executor.js';
import type { StepRow } from '../../store/steps-repo.js';

/** A step to run again: why, and when. */
export interface Repeat {
  reason: 'retry' | 'poll';
  at: number;
}

/**
 * Whether a finished try of a step runs again instead of moving the flow on:
 * - a polling check (`every` + `within`) that did not pass, while `within` seconds since its first
 *   probe leave room for another probe;
 * - a failed action with a `retry` policy and tries left, if running it twice is safe (the type
 *   is idempotent) or the flow says so (`retryUnsafe`; the validator insists on it).
 * The last try's outcome is recorded as usual (a check's `fail`, an action's error).
 */
export function nextTry(args: {
  node: FlowNode;
  def: NodeDefinition;
  outcome: StepOutcome;
  /** The try that just ended (1 for the first). */
  attempt: number;
  /** When the first try of this step started (polls count `within` from it). */
  firstStartedAt: number;
  now: number;
  /** In [0, 1): spreads retries (jitter). */
  random: number;
}): Repeat | undefined {
  const { node, def, outcome, attempt, now } = args;
  const plan = def.poll?.(node.config);
  if (plan) {
    const notYet = outcome.type === 'fail' || (outcome.type === 'next' && outcome.port === plan.port);
    const at = now + plan.everySeconds * 1000;
    if (notYet && at <= args.firstStartedAt + plan.withinSeconds * 1000) return { reason: 'poll', at };
    return undefined;
  }
  const policy = node.retry;
  if (outcome.type !== 'fail' || !policy || attempt >= policy.attempts) return undefined;
  if (!def.idempotent && node.retryUnsafe !== true) return undefined;
  return { reason: 'retry', at: now + retryDelayMs(policy, attempt + 1, args.random) };
}

/**
 * When the first try of `step` started: earlier tries of the same step are the `retried` rows
 * of the same node that came from the same parent step in the same loop item.
 */
export function firstTryStartedAt(step: StepRow, steps: readonly StepRow[], startedAt: number): number {
  let first = startedAt;
  for (const s of steps) {
    if (s.status === 'retried' && s.nodeId === step.nodeId && s.parentStepId === step.parentStepId && s.scope === step.scope && s.seq < step.seq) {
      first = Math.min(first, s.startedAt ?? first);
    }
  }
  return first;
}
