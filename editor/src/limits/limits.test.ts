import { describe, expect, it } from 'vitest';
import { breakerCause, heldBy, heldReason, limitsSummary, releaserName, showWindow, splitWindow, targetNoun, windowSeconds } from './limits.js';

describe('windows in human units', () => {
  it('shows seconds in the largest unit that counts them whole', () => {
    expect(splitWindow(600)).toEqual({ amount: 10, unit: 'min' });
    expect(splitWindow(7200)).toEqual({ amount: 2, unit: 'h' });
    expect(splitWindow(5400)).toEqual({ amount: 90, unit: 'min' });
    expect(splitWindow(86_400)).toEqual({ amount: 1, unit: 'd' });
    expect(splitWindow(45)).toEqual({ amount: 45, unit: 's' });
  });

  it('turns what was typed into seconds, fractions to the second; no number stays NaN for the schema to name', () => {
    expect(windowSeconds('10', 'min')).toBe(600);
    expect(windowSeconds('1.5', 'h')).toBe(5400);
    expect(windowSeconds('', 'min')).toBeNaN();
    expect(windowSeconds('abc', 'h')).toBeNaN();
  });

  it('says a window aloud and marks a bad one', () => {
    expect(showWindow(600)).toBe('10 min');
    expect(showWindow(5400)).toBe('1 h 30 min');
    expect(showWindow(Number.NaN)).toBe('?');
  });
});

describe('targetNoun', () => {
  it('names the target after the label the key reads', () => {
    expect(targetNoun('alert.labels.host')).toBe('host');
    expect(targetNoun('alert.labels["instance"]')).toBe('instance');
    expect(targetNoun('alert.labels.namespace + "/" + alert.labels.pod')).toBe('target');
    expect(targetNoun(undefined)).toBe('target');
  });
});

describe('limitsSummary', () => {
  it('says the example from the issue in one sentence', () => {
    expect(limitsSummary({ target: { key: 'alert.labels.host', cooldown: 1800 }, blastRadius: { targets: 3, window: 600 } })).toBe(
      'At most 3 hosts per 10 min; the same host not twice within 30 min. A run over a limit is held until a person releases or cancels it.',
    );
  });

  it('covers every limit and names the escalation flow', () => {
    const text = limitsSummary(
      {
        maxRunsPerWindow: { runs: 20, window: 3600 },
        target: { key: 'alert.labels.instance', maxConcurrent: 1 },
        breaker: { failures: 3, window: 900 },
        onHeld: { flow: 'page-oncall' },
      },
      (id) => (id === 'page-oncall' ? 'Page the on-call' : id),
    );
    expect(text).toBe(
      'At most 20 runs per 1 h; one run at a time per instance; stop starting runs after 3 failed runs within 15 min, until someone resets it. A held run starts “Page the on-call”.',
    );
  });

  it('says nothing when there are no limits, and marks a value still being typed', () => {
    expect(limitsSummary(undefined)).toBeNull();
    expect(limitsSummary({})).toBeNull();
    expect(limitsSummary({ maxRunsPerWindow: { runs: Number.NaN, window: 60 } })).toContain('At most ? runs per 1 min');
  });
});

describe('heldBy', () => {
  it('names the limit in words, and an unknown one as sent', () => {
    expect(heldBy('cooldown')).toBe('Held by the target cooldown');
    expect(heldBy('breaker')).toBe('Held by the circuit breaker');
    expect(heldBy('somethingNew')).toBe('Held by somethingNew');
  });
});

describe('heldReason', () => {
  it('drops the limit name the banner already says', () => {
    expect(heldReason({ limit: 'cooldown', reason: 'cooldown: web-1 was remediated 4 min before this run (run ex_1); cooldown 30 min' })).toBe(
      'web-1 was remediated 4 min before this run (run ex_1); cooldown 30 min',
    );
    expect(heldReason({ limit: 'breaker', reason: 'the flow is tripped' })).toBe('the flow is tripped');
  });
});

describe('releaserName', () => {
  it('says "you" for oneself, names the admin token, and shows other identities as recorded', () => {
    expect(releaserName({ by: 'user:usr_1', name: 'Olivia Operator' }, { id: 'usr_1', name: 'Olivia Operator' })).toBe('you (Olivia Operator)');
    expect(releaserName({ by: 'admin', name: 'admin' }, { id: 'usr_1' })).toBe('the admin token');
    // Someone else: the name the server resolved; the id only when it could not (a removed user).
    expect(releaserName({ by: 'user:usr_2', name: 'Ravi Rao' }, { id: 'usr_1' })).toBe('Ravi Rao');
    expect(releaserName({ by: 'user:usr_2', name: 'unknown' }, { id: 'usr_1' })).toBe('usr_2');
  });
});

describe('breakerCause', () => {
  it('says the policy that tripped, or how many failures when the flow no longer has one', () => {
    expect(breakerCause({ policy: { failures: 3, window: 900 }, failures: [] })).toBe('3 failed runs within 15 min');
    expect(breakerCause({ failures: [{ executionId: 'ex_1', status: 'failed', endedAt: 0 }] })).toBe('1 failed run');
  });
});
