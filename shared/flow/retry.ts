import { z } from 'zod';

/**
 * A node's retry policy (`retry` on a flow node): when its step fails, run it again after a
 * durable wait (a `waiting` step row, no worker held, survives restarts), up to `attempts` tries
 * in all. Delays are in seconds. Browser-safe: the editor's form and the runtime read the same
 * schema and the same delay rule.
 */
export const RetryPolicySchema = z.strictObject({
  /** Tries in all, the first included: 3 = the first try and up to two retries. */
  attempts: z.int({ error: 'must be a whole number of tries' }).min(2, 'must be at least 2 (the first try and one retry)').max(20, 'must be at most 20'),
  /** `exponential`: initialDelay, ×2 each retry, up to maxDelay. `fixed`: initialDelay every time. */
  backoff: z.enum(['exponential', 'fixed'], { error: 'must be "exponential" or "fixed"' }).default('exponential'),
  initialDelay: z.number({ error: 'must be a number of seconds' }).min(1, 'must be at least 1 second').max(86_400, 'must be at most 86400 seconds (a day)').default(10),
  maxDelay: z.number({ error: 'must be a number of seconds' }).min(1, 'must be at least 1 second').max(86_400, 'must be at most 86400 seconds (a day)').default(300),
  /**
   * Up to this fraction of each delay is taken off at random (0 = exact delays), so many runs
   * failing on the same outage do not all retry at the same instant.
   */
  jitter: z.number({ error: 'must be a fraction between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.2),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/**
 * How long to wait before try number `nextTry` (2 for the first retry). `random` is in [0, 1):
 * passed in so tests are exact.
 */
export function retryDelayMs(policy: RetryPolicy, nextTry: number, random: number): number {
  const steps = Math.max(0, nextTry - 2);
  const base = policy.backoff === 'fixed' ? policy.initialDelay : policy.initialDelay * 2 ** Math.min(steps, 30);
  const capped = Math.min(base, Math.max(policy.maxDelay, policy.initialDelay));
  return Math.round(capped * (1 - policy.jitter * random) * 1000);
}
