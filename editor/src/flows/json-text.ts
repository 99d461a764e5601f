import { truncate } from '../../../shared/text.js';

/**
 * Parsing JSON that a person pasted or picked, with a location when it is not valid.
 *
 * JSON.parse decides whether the text is valid. Browsers disagree on how they describe an error
 * (Chrome gives a position, Firefox a line and column, Safari neither), so when it fails a small
 * scanner walks the text itself to find the first problem and say what was expected there, the
 * same way in every browser.
 */

export interface JsonProblem {
  message: string;
  /** 1-based; absent only if the scanner and JSON.parse disagree (then `message` is the browser's). */
  line?: number;
  column?: number;
  /** 0-based offset into the text (after a leading byte-order mark was removed). */
  offset?: number;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

/** Parses `text`; a leading byte-order mark (saved by some editors) is ignored. */
export function parseJsonText(text: string): JsonParseResult {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, problem: { message: 'there is no JSON here (the text is empty)' } };
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (error) {
    const found = findJsonProblem(source);
    if (found) return { ok: false, problem: found };
    return { ok: false, problem: { message: (error as Error).message } };
  }
}

/** `line 3, column 5: message`, or just the message when there is no location. */
export function describeJsonProblem(problem: JsonProblem): string {
  return problem.line === undefined ? problem.message : `line ${problem.line}, column ${problem.column}: ${problem.message}`;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Nesting beyond this is reported rather than recursed into (flows are a few levels deep). */
const MAX_DEPTH = 512;

/** The first syntax problem in `text`, or null when it is valid JSON. */
export function findJsonProblem(text: string): JsonProblem | null {
  let i = 0;

  const fail = (offset: number, message: string): never => {
    throw new Stop(offset, message);
  };
  /** What stands at `offset`, as a person would name it: a whole string or word, not one character. */
  const show = (offset: number): string => {
    const ch = text[offset];
    if (ch === undefined) return 'the end of the text';
    if (ch === '\n' || ch === '\r') return 'a line break';
    if (ch === '\t') return 'a tab';
    if (ch === '"') {
      const str = /^"(?:[^"\\\n]|\\.){0,40}"?/.exec(text.slice(offset))![0];
      return `the string ${truncate(str, 41)}`;
    }
    const word = /^[A-Za-z0-9_$.+-]+/.exec(text.slice(offset))?.[0];
    if (word) return `"${truncate(word, 31)}"`;
    return `"${ch}"`;
  };
  /** After a value, the next one on a later line: the comma between them is what is missing. */
  const missingComma = (valueEnd: number) => {
    if (/[\n\r]/.test(text.slice(valueEnd, i))) {
      fail(valueEnd, `a "," is missing after this value (the next one starts on line ${lineColumnAt(text, i).line})`);
    }
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    if (text.startsWith('//', i) || text.startsWith('/*', i)) fail(i, 'JSON does not allow comments');
  };

  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(i, `nested more than ${MAX_DEPTH} levels deep`);
    skipSpace();
    const ch = text[i];
    if (ch === '{') {
      object(depth);
      return;
    }
    if (ch === '[') {
      array(depth);
      return;
    }
    if (ch === '"') {
      string();
      return;
    }
    if (ch === "'") fail(i, "strings must be in double quotes (\"), not single quotes (')");
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      number();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (ch === undefined) fail(i, 'the text ends where a value was expected');
    fail(i, `expected a value (an object, array, string, number, true, false or null), found ${show(i)}`);
  };

  const object = (depth: number): void => {
    const open = i;
    i++; // {
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] === undefined) fail(i, `the text ends inside the object opened at ${where(open)}: a "}" is missing`);
      if (text[i] === '}') fail(i, 'remove the comma before "}" (JSON does not allow a trailing comma)');
      if (text[i] !== '"') {
        fail(i, text[i] === "'" ? 'property names must be in double quotes ("), not single quotes' : `expected a property name in double quotes, found ${show(i)}`);
      }
      string();
      skipSpace();
      if (text[i] !== ':') fail(i, `expected ":" after the property name, found ${show(i)}`);
      i++;
      value(depth + 1);
      const valueEnd = i;
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      if (text[i] === undefined) fail(i, `the text ends inside the object opened at ${where(open)}: a "}" is missing`);
      missingComma(valueEnd);
      fail(i, `expected "," or "}" after the property value, found ${show(i)}`);
    }
  };

  const array = (depth: number): void => {
    const open = i;
    i++; // [
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] === ']') fail(i, 'remove the comma before "]" (JSON does not allow a trailing comma)');
      if (text[i] === undefined) fail(i, `the text ends inside the array opened at ${where(open)}: a "]" is missing`);
      value(depth + 1);
      const valueEnd = i;
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      if (text[i] === undefined) fail(i, `the text ends inside the array opened at ${where(open)}: a "]" is missing`);
      missingComma(valueEnd);
      fail(i, `expected "," or "]" after the array element, found ${show(i)}`);
    }
  };

  const string = (): void => {
    const open = i;
    i++; // "
    for (;;) {
      const ch = text[i];
      if (ch === undefined) fail(open, 'this string is never closed: a " is missing');
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\n' || ch === '\r') fail(i, 'line break inside a string: write it as \\n, or close the string with "');
      if (ch! < ' ') fail(i, 'control character inside a string: write it escaped (e.g. \\t)');
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i, '\\u must be followed by four hex digits');
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) fail(i, `invalid escape "\\${next ?? ''}" in a string`);
        i += 2;
        continue;
      }
      i++;
    }
  };

  const number = (): void => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!match || match[0] === '-') fail(i, 'invalid number');
    const end = i + match![0].length;
    const next = text[end];
    if (next !== undefined && /[0-9.eE]/.test(next)) fail(i, 'invalid number (no leading zeros; a decimal point needs digits after it)');
    i = end;
  };

  const where = (offset: number): string => {
    const { line, column } = lineColumnAt(text, offset);
    return `line ${line}, column ${column}`;
  };

  try {
    value(0);
    skipSpace();
    if (i < text.length) {
      fail(
        i,
        text[i] === '{' || text[i] === '['
          ? 'a second JSON value starts here; to import several flows, put them in one bundle: { "flows": [ … ] }'
          : `unexpected ${show(i)} after the end of the JSON value`,
      );
    }
    return null;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { message: error.message, offset: error.offset, ...lineColumnAt(text, error.offset) };
  }
}
