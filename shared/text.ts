/**
 * Cutting text for display and for size limits, in one place so every message, summary and
 * stored field is cut the same way: to at most the limit, ending with `…` when something was cut.
 */

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;
const encoder = new TextEncoder();

/** `text` cut to at most `max` characters (UTF-16 units), ending with `…` when it was longer. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}${ELLIPSIS}` : text;
}

/** Whether `text` is longer than `limit` bytes once encoded as UTF-8. */
export function exceedsBytes(text: string, limit: number): boolean {
  // A UTF-16 unit encodes to 1–3 bytes, so only lengths in between need encoding.
  if (text.length * 3 <= limit) return false;
  if (text.length > limit) return true;
  return encoder.encode(text).length > limit;
}

/**
 * `text` cut to at most `limit` bytes of UTF-8, ending with `…` (3 bytes) when it was longer.
 * Cuts between code points, never inside one.
 */
export function truncateBytes(text: string, limit: number): string {
  if (!exceedsBytes(text, limit)) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > limit - ELLIPSIS_BYTES) break;
    out += ch;
  }
  return `${out}${ELLIPSIS}`;
}
