import { describe, expect, it } from 'vitest';
import { formatJson, formatList, parseJsonText, parseListText, parseNumberText, textMatches } from './parse-input.js';

describe('number input', () => {
  it('parses decimals; empty means leave out', () => {
    expect(parseNumberText(' 10 ')).toEqual({ ok: true, value: 10 });
    expect(parseNumberText('1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseNumberText('10.')).toEqual({ ok: true, value: 10 });
    expect(parseNumberText('')).toEqual({ ok: true, value: undefined });
  });
  it('rejects what Number() would quietly accept', () => {
    for (const text of ['0x10', 'abc', '1,000', 'Infinity', '1e']) expect(parseNumberText(text).ok).toBe(false);
  });
});

describe('list input (one item per line)', () => {
  it('reads one item per line, skipping blank lines, and remembers the line of each item', () => {
    expect(parseListText('10.0.0.0/8\n\n  192.168.0.0/16  \n', 'string')).toEqual({ ok: true, value: ['10.0.0.0/8', '192.168.0.0/16'], lines: [1, 3] });
    expect(parseListText('a b', 'string')).toEqual({ ok: true, value: ['a b'], lines: [1] });
    expect(parseListText(' \n ', 'string')).toEqual({ ok: true, value: undefined, lines: [] });
  });
  it('reads numbers one per line, or separated by commas or spaces', () => {
    expect(parseListText('200\n204', 'integer')).toEqual({ ok: true, value: [200, 204], lines: [1, 2] });
    expect(parseListText('200, 204\n\n301', 'integer')).toEqual({ ok: true, value: [200, 204, 301], lines: [1, 1, 3] });
    expect(parseListText('0.5', 'number')).toEqual({ ok: true, value: [0.5], lines: [1] });
  });
  it('names the line of an item that is not a number', () => {
    expect(parseListText('200\nok', 'integer')).toEqual({ ok: false, message: 'line 2: "ok" is not a number' });
    expect(parseListText('200\n2.5', 'integer')).toEqual({ ok: false, message: 'line 2: "2.5" is not a whole number' });
  });
  it('formats lists one item per line', () => {
    expect(formatList([200, 204])).toBe('200\n204');
    expect(formatList(['10.0.0.0/8'])).toBe('10.0.0.0/8');
    expect(formatList(undefined)).toBe('');
    expect(formatList('10.0.0.0/8')).toBe('10.0.0.0/8');
  });
  it('keeps the operator’s text while it stands for the value', () => {
    expect(textMatches((t) => parseListText(t, 'integer'), '200,\n', [200])).toBe(true);
    expect(textMatches((t) => parseListText(t, 'string'), 'a\n', ['a'])).toBe(true);
  });
});

describe('JSON input', () => {
  it('parses JSON and reports errors; empty means leave out', () => {
    expect(parseJsonText('{"path": "/var/tmp"}')).toEqual({ ok: true, value: { path: '/var/tmp' } });
    expect(parseJsonText('  ')).toEqual({ ok: true, value: undefined });
    expect(parseJsonText('null')).toEqual({ ok: true, value: null });
    const bad = parseJsonText('{"a": ');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^Not valid JSON: /);
  });
  it('formats short values on one line and long ones indented', () => {
    expect(formatJson([0])).toBe('[0]');
    expect(formatJson(undefined)).toBe('');
    expect(formatJson([200, 204])).toBe('[200,204]');
    expect(formatJson({ path: '/var/tmp' })).toBe('{\n  "path": "/var/tmp"\n}');
    expect(formatJson(Array.from({ length: 30 }, (_, i) => i))).toContain('\n');
  });
  it('keeps the operator’s text while it stands for the value', () => {
    expect(textMatches(parseJsonText, '{ "a":1 }', { a: 1 })).toBe(true);
    expect(textMatches(parseJsonText, '{ "a":2 }', { a: 1 })).toBe(false);
    expect(textMatches(parseJsonText, '{ "a":', { a: 1 })).toBe(false);
    expect(textMatches(parseJsonText, '', undefined)).toBe(true);
    expect(textMatches(parseNumberText, '10.', 10)).toBe(true);
  });
});
