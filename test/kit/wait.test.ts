import { describe, expect, it } from 'vitest';
import { nextMillisecond, waitFor, WaitTimeout } from './wait.js';

describe('the test kit waits', () => {
  it('waitFor returns the first truthy value the check gives', async () => {
    let calls = 0;
    expect(await waitFor(() => ++calls >= 3 && { calls })).toEqual({ calls: 3 });
    expect(await waitFor(async () => 'ready')).toBe('ready');
  });

  it('waitFor says what it awaited and the last value seen when it times out', async () => {
    await expect(waitFor(() => 0, 20, 'the queue to fill')).rejects.toThrow('timed out after 20 ms waiting for the queue to fill; last value seen: 0');
    let left = 3;
    await expect(waitFor(() => null, 20, () => `the runs to end (${left} left)`)).rejects.toThrow('waiting for the runs to end (3 left); last value seen: null');
    left = 0;
    // Without a description, the check's own text says what was awaited.
    await expect(waitFor(() => left > 1, 20)).rejects.toThrow(/waiting for \(\) => left > 1; last value seen: false$/);
    await expect(waitFor(() => false, 20)).rejects.toBeInstanceOf(WaitTimeout);
  });

  it('waitFor fails at once when the check throws', async () => {
    const started = Date.now();
    await expect(waitFor(() => JSON.parse('{'), 5000)).rejects.toBeInstanceOf(SyntaxError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('nextMillisecond resolves in a later millisecond', async () => {
    const before = Date.now();
    await nextMillisecond();
    expect(Date.now()).toBeGreaterThan(before);
  });
});
