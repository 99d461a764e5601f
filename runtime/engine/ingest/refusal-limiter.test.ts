import { describe, expect, it } from 'vitest';
import { RefusalLimiter } from './refusal-limiter.js';

describe('refusal limiter', () => {
  it('stores at most N refusals per path per minute and counts the rest for the next stored one', () => {
    const limiter = new RefusalLimiter(3, 60_000);
    const t = 1_000_000;
    const verdicts = Array.from({ length: 5 }, (_, i) => limiter.admit('a', t + i));
    expect(verdicts.map((v) => v.store)).toEqual([true, true, true, false, false]);
    expect(verdicts.map((v) => v.firstDrop)).toEqual([false, false, false, true, false]);
    // Another path has its own budget.
    expect(limiter.admit('b', t).store).toBe(true);
    // The next minute: stored again, reporting the two that were only counted.
    const next = limiter.admit('a', t + 60_000);
    expect(next).toEqual({ store: true, suppressed: 2, closedWindowDropped: 2, firstDrop: false });
    expect(limiter.admit('a', t + 60_001).suppressed).toBe(0);
  });
});
