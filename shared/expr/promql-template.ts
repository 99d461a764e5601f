import { ExpressionError } from './errors.js';
import { checkTemplate, renderTemplateParts, templateParts } from './template.js';
import type { ExprIssue, ExprScope, ExprVars } from './types.js';

/**
 * PromQL templates (`up{instance="{{ alert.labels.instance }}"}`): a query whose values come from
 * the alert.
 *
 * Alert data is attacker-controlled, so a value must never change the query's structure: every
 * `{{ }}` part must sit inside a double-quoted PromQL string literal (refused when the flow is
 * saved otherwise), and its value is escaped for that literal (backslash, double quote, line
 * breaks and other control characters), so it cannot close the string. In the string of a regex
 * matcher (`=~`, `!~`) the value is also quoted for the regular expression: it matches itself,
 * not everything (`.*`).
 */

/** Stands for a `{{ }}` part in the skeleton: not a character a flow author types. */
const SLOT = '\u0000';

/** Where a `{{ }}` part sits: inside a double-quoted string (maybe a regex matcher's), or not allowed there. */
type SlotPlace = { ok: true; regex: boolean } | { ok: false; problem: string };

const EXAMPLE = 'e.g. instance="{{ alert.labels.instance }}"';

/** Whether the text before `index` ends with a regex match operator (`=~`, `!~`), spaces allowed after it. */
function followsRegexOperator(skeleton: string, index: number): boolean {
  return /[=!]~\s*$/.test(skeleton.slice(Math.max(0, index - 64), index));
}

/**
 * Lexes the skeleton as PromQL does (strings in `"`, `'` or backticks with their escapes, `#`
 * comments) and says, for each slot in order, where it sits.
 */
function placeSlots(skeleton: string): SlotPlace[] {
  const places: SlotPlace[] = [];
  let state: 'code' | 'dq' | 'sq' | 'raw' | 'comment' = 'code';
  let regex = false;
  // Slots of the double-quoted string being read: refused if it is never closed.
  let open: number[] = [];
  const outside = (where: string): SlotPlace => ({
    ok: false,
    problem: `sits ${where}: a value there could change the query; put it inside a double-quoted string, ${EXAMPLE}`,
  });
  for (let i = 0; i < skeleton.length; i++) {
    const ch = skeleton[i]!;
    switch (state) {
      case 'code':
        if (ch === SLOT) places.push(outside('outside a string'));
        else if (ch === '"') {
          state = 'dq';
          regex = followsRegexOperator(skeleton, i);
          open = [];
        } else if (ch === "'") state = 'sq';
        else if (ch === '`') state = 'raw';
        else if (ch === '#') state = 'comment';
        break;
      case 'dq':
        if (ch === SLOT) {
          open.push(places.length);
          places.push({ ok: true, regex });
        } else if (ch === '\\') {
          // The escape takes the next character; a value there would lose its first one to it.
          if (skeleton[i + 1] === SLOT) {
            places.push({ ok: false, problem: 'follows a backslash, which would escape the value’s first character' });
          }
          i++;
        } else if (ch === '"') state = 'code';
        else if (ch === '\n') {
          // PromQL ends an unterminated string at the line break.
          for (const slot of open) places[slot] = { ok: false, problem: 'sits in a string that is never closed with "' };
          state = 'code';
        }
        break;
      case 'sq':
      case 'raw':
        if (ch === SLOT) places.push({ ok: false, problem: 'sits in a single-quoted or backtick string: write that string in double quotes, whose values are escaped' });
        else if (state === 'sq' && ch === '\\' && skeleton[i + 1] !== SLOT) i++;
        else if (ch === (state === 'sq' ? "'" : '`')) state = 'code';
        break;
      case 'comment':
        if (ch === SLOT) places.push(outside('in a # comment'));
        else if (ch === '\n') state = 'code';
        break;
    }
  }
  if (state === 'dq') for (const slot of open) places[slot] = { ok: false, problem: 'sits in a string that is never closed with "' };
  return places;
}

/** The skeleton of a template: its literal text, each `{{ }}` part replaced by one SLOT. */
function skeletonOf(parts: readonly ({ kind: 'text'; text: string } | { kind: 'expr' | 'value' })[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : SLOT)).join('');
}

/**
 * Checks a PromQL template when the flow is saved: its `{{ }}` parts compile, and each sits
 * inside a double-quoted string literal (not after a backslash, in a string that is closed).
 * Offsets point into `text`; `scope` is where the template sits (see checkCel).
 */
export function checkPromqlTemplate(text: string, scope?: ExprScope): ExprIssue[] {
  const issues = checkTemplate(text, scope);
  if (issues.length > 0) return issues;
  const { parts } = templateParts(text);
  const exprs = parts.filter((p) => p.kind === 'expr');
  placeSlots(skeletonOf(parts)).forEach((place, i) => {
    if (!place.ok) issues.push({ message: `{{ ${exprs[i]!.source} }} ${place.problem}`, offset: exprs[i]!.offset });
  });
  return issues;
}

/** Half a UTF-16 surrogate pair: text that cannot be sent as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// RE2's metacharacters (Go's regexp.QuoteMeta).
const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

/**
 * `value` escaped for the inside of a double-quoted PromQL string (Go escapes): it reads back as
 * exactly `value` and cannot end the string. `regex`: quoted first so a regex matcher matches it literally.
 */
export function escapePromqlString(value: string, regex = false): string {
  const text = regex ? value.replace(REGEX_META, '\\$&') : value;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/**
 * Renders a PromQL template: each `{{ }}` part's value escaped for the double-quoted string it
 * sits in. Throws ExpressionError when the template puts a part elsewhere (the flow validator
 * refuses that at save) or a value is not valid Unicode.
 */
export function renderPromqlTemplate(text: string, vars: Partial<ExprVars>): string {
  const issues = checkPromqlTemplate(text);
  if (issues.length > 0) throw new ExpressionError(`invalid PromQL template: ${issues[0]!.message}`, issues);
  const parts = renderTemplateParts(text, vars);
  const places = placeSlots(skeletonOf(parts));
  let slot = 0;
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const place = places[slot++]!;
    // Defence in depth: checkPromqlTemplate above already refused any other place.
    if (!place.ok) throw new ExpressionError(`{{ ${part.source} }} ${place.problem}`, []);
    if (LONE_SURROGATE.test(part.text)) throw new ExpressionError(`{{ ${part.source} }} gave text that is not valid Unicode`, []);
    out += escapePromqlString(part.text, place.regex);
  }
  return out;
}
