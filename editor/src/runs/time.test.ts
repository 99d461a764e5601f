import { describe, expect, it } from 'vitest';
import { elapsed, formatRelative, parseTime } from './time.js';

const NOW = Date.parse('2026-05-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('formatRelative', () => {
  it('says "just now" for the last few seconds, either side', () => {
    expect(formatRelative(ago(0), NOW)).toBe('just now');
    expect(formatRelative(ago(4_000), NOW)).toBe('just now');
    expect(formatRelative(ago(-3_000), NOW)).toBe('just now');
  });

  it('uses the largest whole unit in the past', () => {
    expect(formatRelative(ago(12_000), NOW)).toBe('12 s ago');
    expect(formatRelative(ago(3 * 60_000 + 59_000), NOW)).toBe('3 min ago');
    expect(formatRelative(ago(2 * 3_600_000), NOW)).toBe('2 h ago');
    expect(formatRelative(ago(5 * 86_400_000), NOW)).toBe('5 d ago');
  });

  it('counts forward for deadlines', () => {
    expect(formatRelative(ago(-14 * 60_000 - 10_000), NOW)).toBe('in 14 min');
    expect(formatRelative(ago(-90_000), NOW)).toBe('in 1 min');
  });

  it('gives the date for anything older than a month, and leaves junk as it is', () => {
    expect(formatRelative('2025-01-02T03:04:05.000Z', NOW)).toBe('2025-01-02');
    expect(formatRelative('not a time', NOW)).toBe('not a time');
  });
});

describe('elapsed', () => {
  it('measures start to end, or to now while running, and null before start', () => {
    expect(elapsed(ago(10_000), ago(4_000), NOW)).toBe(6_000);
    expect(elapsed(ago(10_000), null, NOW)).toBe(10_000);
    expect(elapsed(null, null, NOW)).toBeNull();
    expect(elapsed(ago(1_000), ago(5_000), NOW)).toBe(0);
  });

  it('parses only real times', () => {
    expect(parseTime('')).toBeNull();
    expect(parseTime(undefined)).toBeNull();
    expect(parseTime('2026-05-01T12:00:00.000Z')).toBe(NOW);
  });
});
