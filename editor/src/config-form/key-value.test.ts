import { describe, expect, it } from 'vitest';
import { recordFromRows, rowForKey, rowsFromRecord, sameRecord, switchRowMode, type KeyValueRow } from './key-value.js';

describe('map ↔ rows', () => {
  it('shows strings as text rows and secret references as secret rows', () => {
    expect(rowsFromRecord({ 'X-Host': '{{ alert.labels.instance }}', 'X-Token': { secret: 'API_TOKEN' } })).toEqual([
      { name: 'X-Host', mode: 'text', value: '{{ alert.labels.instance }}' },
      { name: 'X-Token', mode: 'secret', value: 'API_TOKEN' },
    ]);
  });
  it('shows no rows for a missing or non-map value, and invalid values as JSON text', () => {
    expect(rowsFromRecord(undefined)).toEqual([]);
    expect(rowsFromRecord(['a'])).toEqual([]);
    expect(rowsFromRecord({ N: 5 })).toEqual([{ name: 'N', mode: 'text', value: '5' }]);
  });
  it('round-trips', () => {
    const record = { A: 'x', B: { secret: 'S' }, C: '' };
    expect(recordFromRows(rowsFromRecord(record)).record).toEqual(record);
  });
  it('leaves out nameless rows and repeated names, saying why', () => {
    const rows: KeyValueRow[] = [
      { name: 'A', mode: 'text', value: '1' },
      { name: '', mode: 'text', value: '' },
      { name: '', mode: 'text', value: 'typed' },
      { name: 'A', mode: 'text', value: '2' },
    ];
    const { record, skipped } = recordFromRows(rows);
    expect(record).toEqual({ A: '1' });
    expect(skipped[0]).toBeUndefined();
    expect(skipped[1]).toBeUndefined(); // a fresh empty row is simply new
    expect(skipped[2]).toMatch(/name/);
    expect(skipped[3]).toMatch(/row 1/);
  });
  it('writes a secret row as a reference', () => {
    expect(recordFromRows([{ name: 'TOKEN', mode: 'secret', value: 'T' }]).record).toEqual({ TOKEN: { secret: 'T' } });
  });
  it('keeps a __proto__ name as data', () => {
    const { record } = recordFromRows([{ name: '__proto__', mode: 'text', value: 'x' }]);
    expect(Object.hasOwn(record, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });
  it('compares maps by entries and order; missing equals empty', () => {
    expect(sameRecord({ a: '1' }, { a: '1' })).toBe(true);
    expect(sameRecord(undefined, {})).toBe(true);
    expect(sameRecord({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(false);
    expect(sameRecord({ a: { secret: 'X' } }, { a: 'X' })).toBe(false);
  });
  it('clears the value when the kind is switched, keeping other row data', () => {
    const row = { id: 7, name: 'X-Token', mode: 'text' as const, value: 'hunter2' };
    expect(switchRowMode(row, 'secret')).toEqual({ id: 7, name: 'X-Token', mode: 'secret', value: '' });
    expect(switchRowMode(row, 'text')).toBe(row);
  });
  it('finds the row that owns issues about a key', () => {
    const rows: KeyValueRow[] = [
      { name: 'A', mode: 'text', value: '' },
      { name: 'B', mode: 'text', value: '' },
      { name: 'B', mode: 'text', value: '' },
    ];
    expect(rowForKey(rows, 'B')).toBe(1);
    expect(rowForKey(rows, 'C')).toBe(-1);
  });
});
