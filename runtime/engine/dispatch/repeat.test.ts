import { describe, expect, it } from 'vitest';
import { RetryPolicySchema, retryDelayMs } from '../../../shared/flow/retry.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { FlowNode } from '../../../shared/flow/schema.js';
import { nextTry } from './repeat.js';

const policy = (p: object) => RetryPolicySchema.parse(p);

describe('retry delays', () => {
  it('doubles from initialDelay up to maxDelay, or stays fixed', () => {
    const exp = policy({ attempts: 6, initialDelay: 10, maxDelay: 60, jitter: 0 });
    expect([2, 3, 4, 5, 6].map((n) => retryDelayMs(exp, n, 0.5))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
    const fixed = policy({ attempts: 3, backoff: 'fixed', initialDelay: 30, jitter: 0 });
    expect([2, 3].map((n) => retryDelayMs(fixed, n, 0.5))).toEqual([30_000, 30_000]);
  });

  it('takes up to `jitter` of a delay off at random, never more', () => {
    const p = policy({ attempts: 3, initialDelay: 100, jitter: 0.2 });
    expect(retryDelayMs(p, 2, 0)).toBe(100_000);
    expect(retryDelayMs(p, 2, 0.999)).toBeGreaterThan(80_000 - 1);
  });

  it('names the bad field of a policy', () => {
    const issues = RetryPolicySchema.safeParse({ attempts: 1, backoff: 'linear', jitter: 2 }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'attempts: must be at least 2 (the first try and one retry)',
      'backoff: must be "exponential" or "fixed"',
      'jitter: must be between 0 and 1',
    ]);
  });
});

const node = (type: string, extra: Partial<FlowNode> = {}, config: Record<string, unknown> = {}): FlowNode => ({ id: 'n', type, config, ...extra });
const fail = { type: 'fail' as const, error: 'HTTP 503' };
const args = (n: FlowNode, outcome: Parameters<typeof nextTry>[0]['outcome'], attempt = 1) => ({
  node: n,
  def: getNodeDefinition(n.type)!,
  outcome,
  attempt,
  firstStartedAt: 0,
  now: 1_000,
  random: 0,
});

describe('nextTry', () => {
  it('retries a failed idempotent action while tries are left', () => {
    const n = node('action.http', { retry: policy({ attempts: 3, initialDelay: 5, jitter: 0 }) });
    expect(nextTry(args(n, fail, 1))).toEqual({ reason: 'retry', at: 6_000 });
    expect(nextTry(args(n, fail, 2))).toEqual({ reason: 'retry', at: 11_000 });
    expect(nextTry(args(n, fail, 3))).toBeUndefined();
    expect(nextTry(args(n, { type: 'next', port: 'ok', output: {} }, 1))).toBeUndefined();
  });

  it('retries a command only when the flow says running it twice is safe', () => {
    const retry = policy({ attempts: 2, jitter: 0 });
    expect(nextTry(args(node('action.shell', { retry }), fail))).toBeUndefined();
    expect(nextTry(args(node('action.shell', { retry, retryUnsafe: true }), fail))?.reason).toBe('retry');
  });

  it('polls a check that has not passed while `within` leaves room for another probe', () => {
    const n = node('check.http', {}, { url: 'http://x', every: 15, within: 60 });
    const notYet = { type: 'next' as const, port: 'fail', output: {} };
    expect(nextTry({ ...args(n, notYet), now: 30_000 })).toEqual({ reason: 'poll', at: 45_000 });
    expect(nextTry({ ...args(n, notYet), now: 45_000 })).toEqual({ reason: 'poll', at: 60_000 });
    expect(nextTry({ ...args(n, notYet), now: 46_000 })).toBeUndefined();
    expect(nextTry({ ...args(n, { type: 'next', port: 'pass', output: {} }), now: 1_000 })).toBeUndefined();
    expect(nextTry(args(node('check.http', {}, { url: 'http://x' }), notYet))).toBeUndefined();
  });
});
