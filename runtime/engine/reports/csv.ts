/**
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field quoted when it holds a
 * comma, a quote or a line break, quotes doubled), safe to open in a spreadsheet: a text cell
 * that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so it is
 * shown as text and never run as a formula (flow names and errors are written by people and by
 * remote systems). Numbers are written as they are.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: a header row, then one line per row, each ended by CRLF. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
