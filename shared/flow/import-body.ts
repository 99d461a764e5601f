/**
 * How an import body is described to the operator, by the API (POST /api/flows/import) and by
 * the editor's Import dialog, which checks the same shape before sending.
 */

/** What an import body may be. */
export const EXPECTED_IMPORT = 'expected one flow document (an object with "format": "salve.flow/v1") or a bundle { "flows": [ … ] }';

/** The kind of a JSON value in words, for "found …": `a list`, `null`, `an object`, `a string`… */
export function describeKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
