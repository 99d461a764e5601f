import { describe, expect, it } from 'vitest';
import { formatJson, formatNumberList, parseJsonText, parseNumberListText, parseNumberText, textMatches } from './parse-input.js';

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

describe('number list input', () => {
  it('parses comma- or space-separated numbers, ignoring stray commas', () => {
    expect(parseNumberListText('200, 204')).toEqual({ ok: true, value: [200, 204] });
    expect(parseNumberListText('200,')).toEqual({ ok: true, value: [200] });
    expect(parseNumberListText('0 1  2')).toEqual({ ok: true, value: [0, 1, 2] });
    expect(parseNumberListText(' , ')).toEqual({ ok: true, value: undefined });
  });
  it('names the item that is not a number', () => {
    expect(parseNumberListText('200, ok')).toEqual({ ok: false, message: '"ok" is not a number' });
  });
  it('formats lists', () => expect(formatNumberList([200, 204])).toBe('200, 204'));
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
