/**
 * The statuses of executions, steps and approvals: what the database stores (runtime/store/schema.ts
 * builds its column enums from these), what the API validates in queries and answers, and what
 * the editor shows. Pure constants, browser-safe.
 */

/**
 * `held`: a guard rail (a flow's limits or its circuit breaker) stopped the run before it started;
 * it waits for a person to release it (then `queued`) or cancel it.
 * `succeeded`: the run ended without an unhandled failure and at least one step with side effects
 * ran (an action, or an approval that asked a person). `no_action`: it ended the same way but
 * nothing with side effects ran, e.g. a condition took a port that leads nowhere. Runs stored
 * before `no_action` existed keep `succeeded`.
 */
export const EXECUTION_STATUSES = ['held', 'queued', 'running', 'waiting', 'succeeded', 'no_action', 'failed', 'needs_attention', 'cancelled', 'timed_out'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** An execution in one of these may still change: the run view keeps polling it. */
export const ACTIVE_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['queued', 'running', 'waiting'];

/** An execution in one of these has ended for good. */
export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'no_action', 'failed', 'needs_attention', 'cancelled', 'timed_out'];

export const STEP_STATUSES = [
  'pending', // created when a token arrived; not started
  'intent', // committed just before the side effect; a crash here is resolved on recovery
  'waiting', // parked on an approval or a delay
  'succeeded',
  'failed',
  'retried', // failed (or a check not yet passing) and ran again: a later row of the same node is the next attempt
  'unknown', // interrupted non-idempotent step: outcome unknown, a human must look
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * What a `waiting` step waits for: a person (`approval`), a time (`delay`), the next attempt after
 * a failure (`retry`), the next probe of a polling check (`poll`), the alert's resolution
 * (`resolved`), a called flow's run (`call`) or a loop's items (`foreach`).
 */
export const WAIT_REASONS = ['approval', 'delay', 'retry', 'poll', 'resolved', 'call', 'foreach'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'timeout', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
