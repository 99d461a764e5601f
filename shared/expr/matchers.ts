import { ExpressionError } from './errors.js';
import { checkRegex } from './regex-guard.js';

/** One Prometheus/Alertmanager label matcher, e.g. `severity=~"critical|page"`. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const UNQUOTED = /[^\s,{}"=!~]+/y;

function fail(message: string, offset: number): never {
  throw new ExpressionError(`${message} (at character ${offset + 1})`, [{ message, offset }]);
}

/**
 * Parses Alertmanager matcher syntax: `a="x", b!="y", c=~"re", d!~"re"`, optionally inside
 * `{ }`; values are double-quoted (with `\"`, `\\`, `\n` escapes) or bare words.
 */
export function parseMatchers(text: string): Matcher[] {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skip();
  const braced = text[i] === '{';
  if (braced) i++;
  const matchers: Matcher[] = [];
  let closed = !braced;
  for (;;) {
    skip();
    if (braced && text[i] === '}') {
      i++;
      closed = true;
      break;
    }
    if (i >= text.length) {
      if (braced) fail('missing closing "}"', i);
      break;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text)?.[0];
    if (!name) fail(`expected a label name`, i);
    i += name.length;
    skip();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => text.startsWith(o, i));
    if (!op) fail(`expected =, !=, =~ or !~ after "${name}"`, i);
    i += op.length;
    skip();
    let value = '';
    if (text[i] === '"') {
      const start = i;
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted value', start);
        const ch = text[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === '\\') {
          const next = text[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '"' || next === '\\') value += next;
          else fail(`unknown escape "\\${next ?? ''}"`, i);
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
    } else {
      UNQUOTED.lastIndex = i;
      const word = UNQUOTED.exec(text)?.[0];
      if (word) {
        value = word;
        i += word.length;
      }
    }
    if (op === '=~' || op === '!~') {
      // The value as written: it runs anchored (`^(?:…)$`), which is valid whenever the value is,
      // but a message quoting that compiled form would show text the operator never typed.
      const problems = checkRegex(value);
      if (problems.length) fail(problems[0]!.message, i);
    }
    matchers.push({ name, op, value });
    skip();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (braced && text[i] === '}') {
      i++;
      closed = true;
      break;
    }
    if (i < text.length) fail(`expected "," between matchers`, i);
    break;
  }
  if (!closed) fail('missing closing "}"', i);
  skip();
  if (i < text.length) fail('unexpected text after the matchers', i);
  if (matchers.length === 0) fail('no matchers given', 0);
  return matchers;
}

/** A CEL string literal for `value`. */
function celString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Compiles matchers to CEL over `alert.labels`, with Alertmanager's semantics: a missing label
 * equals "", and regexes are anchored on both ends.
 */
export function matchersToCel(text: string): string {
  return parseMatchers(text)
    .map(({ name, op, value }) => {
      const label = `(${celString(name)} in alert.labels ? alert.labels[${celString(name)}] : "")`;
      switch (op) {
        case '=':
          return `${label} == ${celString(value)}`;
        case '!=':
          return `${label} != ${celString(value)}`;
        case '=~':
          return `${label}.matches(${celString(`^(?:${value})$`)})`;
        case '!~':
          return `!${label}.matches(${celString(`^(?:${value})$`)})`;
        default:
          return op satisfies never;
      }
    })
    .join(' && ');
}
