import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time.js';

const now = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('relativeTime', () => {
  it('reads at a glance', () => {
    expect(relativeTime(ago(10_000), now)).toBe('just now');
    expect(relativeTime(ago(-20_000), now)).toBe('just now');
    expect(relativeTime(ago(5 * 60_000), now)).toBe('5 min ago');
    expect(relativeTime(ago(3 * 3600_000), now)).toBe('3 h ago');
    expect(relativeTime(ago(26 * 3600_000), now)).toBe('yesterday');
    expect(relativeTime(ago(3 * 86400_000), now)).toBe('3 days ago');
    expect(relativeTime(ago(30 * 86400_000), now)).toBe('2026-02-08');
    expect(relativeTime('not a time', now)).toBe('not a time');
  });
});
