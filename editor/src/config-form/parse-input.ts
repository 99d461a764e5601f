/**
 * Text typed into number, number-list and JSON inputs → the value to write. Only a complete,
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

/** `200, 204` → [200, 204]; stray commas (mid-typing) are ignored. */
export function parseNumberListText(text: string): Parsed<number[]> {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: true, value: undefined };
  const values: number[] = [];
  for (const part of parts) {
    const parsed = parseNumberText(part);
    if (!parsed.ok) return parsed;
    values.push(parsed.value!);
  }
  return { ok: true, value: values };
}

export function formatNumberList(value: unknown): string {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') : '';
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
