/**
 * Text typed into number, list and JSON inputs → the value to write. Only a complete,
 * valid value is written; while the text is not one, the field says why and the config keeps
 * its last valid value. Empty text means "leave the field out" (`value: undefined`).
 */
export type Parsed<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

export function parseNumberText(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  // Number('') and Number(' ') are 0, and Number('0x10') is 16: accept plain decimals only.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return { ok: false, message: `"${trimmed}" is not a number` };
  return { ok: true, value: Number(trimmed) };
}

/** What one item of a list field is: text, or a (whole) number. */
export type ListItem = 'string' | 'number' | 'integer';

/** A list typed one item per line; `lines[i]` is the line (1-based) item `i` was typed on. */
type ParsedList = { ok: true; value: (string | number)[] | undefined; lines: number[] } | { ok: false; message: string };

/**
 * One item per line → the list; blank lines are skipped, so `lines` maps each item back to its
 * line for messages ("line 3: …"). Numbers may also be separated by commas or spaces on a line
 * (`200, 204` was how these lists used to be typed); text items keep their inner spaces.
 */
export function parseListText(text: string, item: ListItem): ParsedList {
  const value: (string | number)[] = [];
  const lines: number[] = [];
  const rows = text.split('\n');
  for (const [index, row] of rows.entries()) {
    const line = index + 1;
    if (item === 'string') {
      const entry = row.trim();
      if (entry === '') continue;
      value.push(entry);
      lines.push(line);
      continue;
    }
    for (const part of row.split(/[,\s]+/).filter(Boolean)) {
      const parsed = parseNumberText(part);
      if (!parsed.ok) return { ok: false, message: `line ${line}: "${part}" is not a number` };
      if (item === 'integer' && !Number.isInteger(parsed.value)) return { ok: false, message: `line ${line}: "${part}" is not a whole number` };
      value.push(parsed.value!);
      lines.push(line);
    }
  }
  return { ok: true, value: value.length > 0 ? value : undefined, lines };
}

/** A list as the text of a list field: one item per line. */
export function formatList(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
  // A value that is not a list (a hand-edited import): shown as one line, so typing replaces it with a list.
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function parseJsonText(text: string): Parsed<unknown> {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
}

/** JSON as the operator reads it: scalars and short lists of scalars on one line, objects indented. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  const oneLine = JSON.stringify(value);
  const flat = typeof value !== 'object' || value === null || (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null));
  return flat && oneLine.length <= 60 ? oneLine : JSON.stringify(value, null, 2);
}

/** Whether `text` already stands for `value` (then an outside change need not replace the text). */
export function textMatches<T>(parse: (text: string) => Parsed<T>, text: string, value: unknown): boolean {
  const parsed = parse(text);
  return parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(value);
}
