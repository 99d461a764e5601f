import { BadRequestError } from '../../shared/errors.js';

/** JSON nested deeper than this is refused before parsing (nothing legitimate nests so deep). */
const MAX_JSON_DEPTH = 64;

/** Depth of `[`/`{` nesting outside strings, stopping early once past `limit`. */
function nestingDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > limit) return true;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return false;
}

/** Parses JSON bytes; malformed or absurdly nested input is a 400 naming the reason. */
export function parseJson(raw: Uint8Array): unknown {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (text.trim() === '') throw new BadRequestError('body is empty; expected JSON');
  if (nestingDepthExceeds(text, MAX_JSON_DEPTH)) throw new BadRequestError(`body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

