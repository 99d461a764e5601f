import { SlugSchema } from '../../../shared/flow/schema.js';

/**
 * The text of Salve's Slack slash command (what follows `/salve`, Slack's form field `text`),
 * parsed into one command. Pure: no I/O, no Slack, no store (commands.ts acts on the result).
 *
 *   run <flow-id> [key=value …]   start the flow by hand; the pairs are its input (the payload)
 *   status <run-id>               a run's status and steps
 *   help                          the usage (also for empty text)
 *
 * Values may be quoted with double quotes to hold spaces (`summary="disk full"`); inside quotes
 * `\"` is a quote and `\\` a backslash. A dotted key sets a field inside an object
 * (`labels.instance=db1` → `{"labels": {"instance": "db1"}}`), since source.manual reads its
 * labels and annotations from objects. Every value is a string.
 */

export type SlashCommand =
  | { verb: 'help' }
  | { verb: 'run'; flowId: string; input: Record<string, unknown> }
  | { verb: 'status'; runId: string }
  /** Bad syntax or an unknown verb: `problem` says what is wrong, for the usage message. */
  | { verb: 'invalid'; problem: string };

/**
 * Double quotes, and the curly ones phones and macOS put in place of them as people type
 * ("smart punctuation"): a value quoted on a phone must not become a syntax error.
 */
const QUOTES = new Set(['"', '\u201c', '\u201d']);

/** One part of a key: what a payload field is called (`labels.instance` has two). */
const KEY_PART = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Names that would reach an object's prototype instead of making a field. */
const RESERVED_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** Run ids are `ex_<time><random>`; this only keeps junk out of lookups and messages. */
const RUN_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** One whitespace-separated word; `key` is set for `key=value` (the value unquoted). */
interface Word {
  raw: string;
  key?: string;
  value: string;
}

class SyntaxProblem extends Error {}

/** What `/salve help` (and every syntax error) answers; `command` is how the app names it. */
export function usage(command: string): string {
  return [
    `\`${command} run <flow-id> [key=value …]\` starts the flow from its "Run by hand" (source.manual) node; each key=value becomes a field of its input. Quote values with spaces: \`summary="disk full"\`; a dot sets a field inside: \`labels.instance=db1\`.`,
    `\`${command} status <run-id>\` shows a run's status and its steps.`,
    `\`${command} help\` shows this.`,
  ].join('\n');
}

export function parseCommandText(text: string): SlashCommand {
  let words: Word[];
  try {
    words = split(unescapeSlack(text));
  } catch (error) {
    if (error instanceof SyntaxProblem) return { verb: 'invalid', problem: error.message };
    throw error;
  }
  const [first, ...args] = words;
  if (!first) return { verb: 'help' };
  const verb = first.raw.toLowerCase();
  if (verb === 'help') return { verb: 'help' };
  if (verb === 'run') return runCommand(args);
  if (verb === 'status') return statusCommand(args);
  return { verb: 'invalid', problem: `unknown command "${clip(first.raw)}"` };
}

function runCommand(args: Word[]): SlashCommand {
  const [flow, ...pairs] = args;
  if (!flow || flow.key !== undefined) return { verb: 'invalid', problem: 'run: name the flow first, as run <flow-id> [key=value …]' };
  if (!SlugSchema.safeParse(flow.raw).success) {
    return { verb: 'invalid', problem: `run: "${clip(flow.raw)}" is not a flow id (lower-case letters, digits and "-", as in the flow's URL)` };
  }
  try {
    return { verb: 'run', flowId: flow.raw, input: inputOf(pairs) };
  } catch (error) {
    if (error instanceof SyntaxProblem) return { verb: 'invalid', problem: `run: ${error.message}` };
    throw error;
  }
}

function statusCommand(args: Word[]): SlashCommand {
  const [run, ...rest] = args;
  if (!run) return { verb: 'invalid', problem: 'status: name the run, as status <run-id>' };
  if (rest.length > 0) return { verb: 'invalid', problem: `status takes one run id; "${clip(rest[0]!.raw)}" is one too many` };
  if (!RUN_ID.test(run.raw)) return { verb: 'invalid', problem: `status: "${clip(run.raw)}" is not a run id (as ex_01…)` };
  return { verb: 'status', runId: run.raw };
}

/** The payload the `key=value` words make; a SyntaxProblem names the first word that is wrong. */
function inputOf(pairs: Word[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const pair of pairs) {
    if (pair.key === undefined) throw new SyntaxProblem(`"${clip(pair.raw)}" is not key=value (quote values with spaces: key="two words")`);
    const path = pair.key.split('.');
    const bad = path.find((part) => !KEY_PART.test(part));
    if (bad !== undefined) {
      throw new SyntaxProblem(`"${clip(pair.key)}" is not an input name: letters, digits, "_" and "-", starting with a letter or "_" (a dot between names sets a field inside)`);
    }
    const reserved = path.find((part) => RESERVED_KEYS.has(part));
    if (reserved !== undefined) throw new SyntaxProblem(`"${reserved}" cannot be an input name`);
    let at = input;
    for (const [i, part] of path.entries()) {
      const here = Object.hasOwn(at, part) ? at[part] : undefined;
      const isLast = i === path.length - 1;
      if (isLast && here === undefined) {
        at[part] = pair.value;
      } else if (isLast) {
        throw new SyntaxProblem(typeof here === 'string' ? `${pair.key} is given twice` : `${pair.key} is given both as a value and with fields inside it`);
      } else if (here === undefined) {
        const inner: Record<string, unknown> = {};
        at[part] = inner;
        at = inner;
      } else if (typeof here === 'string') {
        throw new SyntaxProblem(`${path.slice(0, i + 1).join('.')} is given both as a value and with fields inside it (${pair.key})`);
      } else {
        at = here as Record<string, unknown>;
      }
    }
  }
  return input;
}

/**
 * The words of `text`. A quote may only open a value, right after `key=`, and must be closed;
 * anything else with a quote in it is refused rather than guessed at.
 */
function split(text: string): Word[] {
  const words: Word[] = [];
  const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
  let i = 0;
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    const start = i;
    let key: string | undefined;
    let value = '';
    while (i < text.length && !isSpace(text[i])) {
      const ch = text[i]!;
      if (QUOTES.has(ch)) {
        // Only a whole value is quoted: `key="…"`, the quote straight after the `=`.
        if (key === undefined || value !== '') {
          throw new SyntaxProblem(`unexpected quote in ${clip(text.slice(start, i + 1))}: only values are quoted, as key="two words"`);
        }
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i]!;
          const next = text[i + 1];
          if (c === '\\' && next !== undefined && (QUOTES.has(next) || next === '\\')) {
            value += next;
            i += 2;
          } else if (QUOTES.has(c)) {
            closed = true;
            i++;
            break;
          } else {
            value += c;
            i++;
          }
        }
        if (!closed) throw new SyntaxProblem(`the quote after ${clip(key)}= is not closed`);
        if (i < text.length && !isSpace(text[i])) throw new SyntaxProblem(`put a space after the closing quote of ${clip(key)}=…`);
        break;
      }
      if (ch === '=' && key === undefined) {
        key = value;
        value = '';
      } else {
        value += ch;
      }
      i++;
    }
    const raw = text.slice(start, i);
    words.push(key === undefined ? { raw, value } : { raw, key, value });
  }
  return words;
}

/** Slack sends `&`, `<` and `>` in `text` as `&amp;`, `&lt;` and `&gt;`; `&amp;` last, so `&amp;lt;` stays `&lt;`. */
function unescapeSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** A word quoted back in a message, cut short: the text is the user's and may be long. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
