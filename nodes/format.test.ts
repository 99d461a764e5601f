import { describe, expect, it } from 'vitest';
import { abbreviateTemplates, formatDuration, showArg } from './format.js';

describe('formatDuration in seconds (configured durations)', () => {
  it('says every unit the duration has, exactly', () => {
    expect(formatDuration(0, 's')).toBe('0 s');
    expect(formatDuration(45, 's')).toBe('45 s');
    expect(formatDuration(300, 's')).toBe('5 min');
    expect(formatDuration(3600 + 30 * 60 + 5, 's')).toBe('1 h 30 min 5 s');
    expect(formatDuration(86_400 + 5 * 60, 's')).toBe('1 d 5 min');
    expect(formatDuration(7 * 86_400, 's')).toBe('7 d');
  });

  it('rounds to whole seconds and never goes negative', () => {
    expect(formatDuration(4.6, 's')).toBe('5 s');
    expect(formatDuration(-3, 's')).toBe('0 s');
  });
});

describe('formatDuration in milliseconds (measured durations)', () => {
  it('keeps precision for fast steps', () => {
    expect(formatDuration(0, 'ms')).toBe('0 ms');
    expect(formatDuration(420, 'ms')).toBe('420 ms');
    expect(formatDuration(4_260, 'ms')).toBe('4.2 s');
    expect(formatDuration(12_900, 'ms')).toBe('12 s');
  });

  it('uses two units at most and drops a zero second unit', () => {
    expect(formatDuration(3 * 60_000 + 5_000, 'ms')).toBe('3 min 5 s');
    expect(formatDuration(5 * 60_000, 'ms')).toBe('5 min');
    expect(formatDuration(2 * 3_600_000 + 10 * 60_000 + 30_000, 'ms')).toBe('2 h 10 min');
    expect(formatDuration(27 * 3_600_000, 'ms')).toBe('1 d 3 h');
    expect(formatDuration(86_400_000 + 5 * 60_000, 'ms')).toBe('1 d');
  });

  it('never goes negative (clock skew between steps)', () => {
    expect(formatDuration(-50, 'ms')).toBe('0 ms');
  });
});

describe('showArg', () => {
  it('quotes an argument only when it would be ambiguous unquoted', () => {
    expect(showArg('postgresql')).toBe('postgresql');
    expect(showArg('a;b')).toBe('a;b');
    expect(showArg('$HOME')).toBe('$HOME');
    expect(showArg('two words')).toBe('"two words"');
    expect(showArg('')).toBe('""');
    expect(showArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(showArg('C:\\temp')).toBe('"C:\\\\temp"');
  });
});

describe('abbreviateTemplates', () => {
  it('shortens each template part', () => {
    expect(abbreviateTemplates('restart {{ alert.labels.service }} on {{alert.labels.instance}}')).toBe('restart {{…}} on {{…}}');
  });
});
