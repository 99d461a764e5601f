import { isSecretRef } from '../../../shared/flow/schema.js';
import { isRecord } from '../../../shared/guards.js';

/**
 * A map field (`headers`, `env`) edited as rows. Rows can be half-written (no name yet, two
 * with the same name) while the map cannot, so the rows live in the form and the map written
 * to the config is derived from them.
 */
export interface KeyValueRow {
  name: string;
  /** `secret`: the value is a secret name, written as `{ "secret": value }`. */
  mode: 'text' | 'secret';
  value: string;
}

/** The rows that show a map from the config (anything not a map shows as no rows). */
export function rowsFromRecord(record: unknown): KeyValueRow[] {
  if (!isRecord(record)) return [];
  return Object.entries(record).map(([name, value]) => {
    if (isSecretRef(value)) return { name, mode: 'secret', value: value.secret };
    // A non-string value is invalid; showing it as JSON text lets the operator fix it.
    return { name, mode: 'text', value: typeof value === 'string' ? value : JSON.stringify(value) ?? '' };
  });
}

export interface RowsToRecord {
  record: Record<string, unknown>;
  /** Per row: why it is not written, if it is not. */
  skipped: (string | undefined)[];
}

/**
 * The map the rows stand for. A row without a name is left out (it is being typed); a row
 * repeating an earlier name is left out and says so — a map has one value per name.
 */
export function recordFromRows(rows: readonly KeyValueRow[]): RowsToRecord {
  const record: Record<string, unknown> = {};
  const firstRow = new Map<string, number>();
  const skipped = rows.map((row, index) => {
    if (row.name === '') return row.value === '' ? undefined : 'Give this row a name; it is not saved without one.';
    const earlier = firstRow.get(row.name);
    if (earlier !== undefined) return `Same name as row ${earlier + 1}; only the first is saved.`;
    firstRow.set(row.name, index);
    Object.defineProperty(record, row.name, {
      value: row.mode === 'secret' ? { secret: row.value } : row.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return undefined;
  });
  return { record, skipped };
}

/** Whether two maps hold the same entries in the same order (so local rows still match the config). */
export function sameRecord(a: unknown, b: unknown): boolean {
  const entries = (v: unknown) => (isRecord(v) ? Object.entries(v) : []);
  return JSON.stringify(entries(a)) === JSON.stringify(entries(b));
}

/** The row after its value kind is switched. The value is cleared: plain text typed there must not become a secret's name, nor a secret's name a header value. */
export function switchRowMode<R extends KeyValueRow>(row: R, mode: KeyValueRow['mode']): R {
  return row.mode === mode ? row : { ...row, mode, value: '' };
}

/** The index of the row that issues about map key `name` belong to (the one that is written). */
export function rowForKey(rows: readonly KeyValueRow[], name: string): number {
  return rows.findIndex((row) => row.name === name);
}
