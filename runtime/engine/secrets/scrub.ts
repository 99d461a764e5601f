import { isPlainObject } from '../../../shared/guards.js';
import type { SecretStore } from './secrets.js';

/**
 * Removing secrets from everything Salve stores, logs or returns. A step's output is whatever a
 * command printed or a target answered, so a secret can come back in many shapes: as it is,
 * inside JSON text (once or twice escaped), URL-encoded in any mix (or twice), hex, or base64
 * (e.g. `Authorization: Basic base64(user:secret)`, where the secret sits at any offset of a
 * longer base64 text), or cut off by a size limit. The scrubber knows each of these forms of
 * every secret Salve holds, referenced by the step or not.
 *
 * Where it is applied: step configs, outputs and errors (dispatch/runner.ts, and the source
 * step in dispatch/transitions.ts), the event log and the stored alert (ingest/event-rows.ts,
 * ingest/delivery-plan.ts, triggers/direct-run.ts), simulate answers (engine.ts), every `/api`
 * answer (http/scrub-responses.ts) and every application log line (log.ts `scrub`, wired in
 * server-process.ts). scrub-node-types.test.ts proves it for each node type.
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

/**
 * Shortest secret that can be scrubbed: a shorter one would match all over ordinary text (and
 * is no secret). The launcher refuses to start with a shorter secret.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * Shortest secret whose base64 is also looked for INSIDE longer base64 text (at the three byte
 * offsets, see base64Forms). The stable middle of a shorter secret's encoding is only 4–8
 * characters of the base64 alphabet, which occur by chance in ordinary base64 data (ids,
 * hashes, images): a 4-byte secret would turn them into `***`. Shorter secrets are still found
 * as they are, in JSON, URL-encoded, hex, and base64 of the value alone.
 */
export const MIN_ENCODED_SECRET_LENGTH = 8;

export interface Scrubber {
  /** `text` with every form of every secret replaced by `***`. */
  text(text: string): string;
  /**
   * `value` with every string scrubbed, deeply: values AND object keys, in arrays and plain
   * objects. Other objects (Dates…) are returned as they are; pass JSON data. A value with
   * nothing to scrub may come back as the same object: do not change the result.
   */
  scrub<T>(value: T): T;
  /**
   * A JSON text (a log line, a response body) with every secret scrubbed from its decoded
   * strings and keys; returned unchanged when no secret occurs in it. Text that is not JSON is
   * scrubbed as text.
   */
  json(json: string): string;
  /** True when there is no secret to look for. */
  readonly empty: boolean;
}

/** JSON string-literal bodies of `s` as common serializers write them. */
function jsonForms(s: string): string[] {
  const js = JSON.stringify(s).slice(1, -1); // JavaScript, Go (mostly), jq
  // Python's json.dumps (ensure_ascii) and others escape everything beyond ASCII.
  const ascii = js.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // PHP's json_encode escapes "/". JSON text inside a JSON string (a body quoted in a message) is escaped twice.
  return [js, ascii, js.replaceAll('/', '\\/'), ascii.replaceAll('/', '\\/'), JSON.stringify(js).slice(1, -1)];
}

/**
 * The base64 forms of `bytes`, in the standard and the URL-safe alphabet.
 *
 * The value alone: its whole encoding, padded and unpadded.
 *
 * The value inside a longer encoded text (`Authorization: Basic base64(user:secret)`, a token
 * in a base64 JSON blob): base64 turns each 3 bytes into 4 characters, so how the secret's bytes
 * are encoded depends on where it starts modulo 3. For each of the three offsets, encode the
 * secret behind 0, 1 or 2 filler bytes and keep only the characters whose 6 bits all come from
 * the secret: the character at each edge may also carry bits of the neighbouring (unknown)
 * bytes, so it is dropped. Whatever surrounds the secret, one of these three "stable middles"
 * is a substring of the text, and replacing it leaves at most one character (under 6 bits) of
 * the secret at each edge. Only for secrets of MIN_ENCODED_SECRET_LENGTH
 * bytes or more: shorter middles match unrelated base64.
 */
function base64Forms(bytes: Buffer): string[] {
  const whole = bytes.toString('base64');
  const forms = [whole, whole.replace(/=+$/, '')];
  if (bytes.length >= MIN_ENCODED_SECRET_LENGTH) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
      // Character i carries bits [6i, 6i+6); the secret occupies bits [8·offset, 8·(offset+n)).
      forms.push(encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6)));
    }
  }
  return forms.flatMap((f) => [f, f.replaceAll('+', '-').replaceAll('/', '_')]);
}

/**
 * Every form of `secret` the scrubber looks for, longest first, without repeats. Each is also
 * found percent-encoded, wholly or in part (see percentTolerant), which covers URL components,
 * form bodies, encodeURI and every custom escaping in between; the URL-encoded secret is a form
 * of its own, so a value encoded twice (`%2522`) is found too.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  const urlEncoded = [encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1)]; // component; form body
  const forms = new Set([secret, ...jsonForms(secret), ...urlEncoded, hex, hex.toUpperCase(), ...base64Forms(bytes)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
const hexDigit = (d: string) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d);

/**
 * A pattern matching `form` with any of its characters percent-encoded (UTF-8, hex digits in
 * either case) and a space also as `+`. URL encoders disagree on what they escape (`/`, `+`,
 * `'`, `~`, non-ASCII…), so listing their outputs would miss the next one.
 */
function percentTolerant(form: string): string {
  let out = '';
  for (const c of form) {
    const escaped = [...Buffer.from(c, 'utf8')].map((b) => `%${[...b.toString(16).padStart(2, '0')].map(hexDigit).join('')}`).join('');
    out += `(?:${escapeRegExp(c)}|${escaped}${c === ' ' ? '|\\+' : ''})`;
  }
  return out;
}

/** One pattern matching any of `forms`, the longest where several start at one place. */
function alternation(forms: readonly string[]): string {
  return [...forms].sort((a, b) => b.length - a.length).map(percentTolerant).join('|');
}

/**
 * Shortest beginning of a form that counts as a cut-off secret. Salve cuts long messages and
 * outputs BEFORE the runner scrubs them, so a secret can arrive cut; a shorter remainder gives
 * too little away to matter.
 */
const CUT_MIN = 6;
/**
 * How Salve marks a cut text (shared/text.ts `truncate`: `…`, also inside closing quotes or
 * brackets when the cut text was quoted; a command's output: `[salve: output truncated after N
 * bytes]`). Only a text ending in one of these can hold a cut-off
 * secret: without it, a text that merely ends like a secret begins (a header named
 * `x-other-token` with a secret `other-token-…`) would be scrubbed.
 */
const CUT_MARKER = /(?:…["'`)\]}]{0,3}|\n?\[salve: [^\]\n]*truncated[^\]\n]*\])$/;

/** The scrubbers built lately, by their list of secrets (most servers build one, tests a few). */
const built = new Map<string, Scrubber>();
const BUILT_KEPT = 16;

/**
 * A scrubber for `secrets`. Each secret's forms are computed once per list of secrets (a cache
 * keyed by the values), and compiled into one regular expression, so a string is searched in
 * one pass however many secrets and forms there are.
 */
export function createScrubber(secrets: Iterable<string>): Scrubber {
  const values = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))].sort();
  const key = JSON.stringify(values);
  const cached = built.get(key);
  if (cached) return cached;
  const scrubber = buildScrubber(values);
  if (built.size >= BUILT_KEPT) built.delete(built.keys().next().value!);
  built.set(key, scrubber);
  return scrubber;
}

function buildScrubber(secrets: readonly string[]): Scrubber {
  const needles = [...new Set(secrets.flatMap(secretForms))];
  if (needles.length === 0) return { text: (s) => s, scrub: (v) => v, json: (s) => s, empty: true };
  const source = alternation(needles);
  // Every form starts with its first CUT_MIN characters (percent-encoded or not), and so does a
  // cut-off one: a text without any of these beginnings (nearly every text) is passed in one
  // search with a short pattern.
  const begins = new RegExp(alternation([...new Set(needles.map((n) => n.slice(0, CUT_MIN)))]));
  // Every place where a form starts, with the longest form starting there: the search goes on
  // one character after each match's start, so overlapping forms are all found.
  const forms = new RegExp(source, 'g');
  // A cut-off secret: the first CUT_MIN characters of a form within the last `window`
  // characters before the cut marker; whether the rest up to the marker continues that form is
  // checked by hand.
  const longForms = needles.filter((n) => n.length > CUT_MIN);
  const window = Math.max(0, ...longForms.map((n) => n.length));
  const headSource = [...new Set(longForms.map((n) => escapeRegExp(n.slice(0, CUT_MIN))))].join('|');
  const heads = longForms.length ? new RegExp(`(?=(${headSource}))`, 'g') : undefined;
  const anyHead = longForms.length ? new RegExp(headSource) : undefined;

  /** `s` with a form cut off at its end (right before a cut marker) replaced. */
  const cutTail = (s: string): string => {
    const marker = heads && CUT_MARKER.exec(s);
    if (!marker) return s;
    const from = Math.max(0, marker.index - window);
    const body = s.slice(from, marker.index);
    for (const m of body.matchAll(heads)) {
      const rest = body.slice(m.index);
      if (longForms.some((n) => n.length > rest.length && n.startsWith(rest))) return `${s.slice(0, from + m.index)}${REDACTED}${marker[0]}`;
    }
    return s;
  };

  /** `s` with every whole form replaced. */
  const whole = (s: string): string => {
    // Forms can overlap (one secret's form ends inside another's): each run of overlapping
    // matches becomes one marker, so no piece of either is left.
    let out = '';
    let copied = 0; // s[0, copied) is handled
    let end = -1; // end of the current run of matches, -1 when none is open
    forms.lastIndex = 0;
    for (let m = forms.exec(s); m; m = forms.exec(s)) {
      const from = m.index;
      const to = from + m[0].length;
      forms.lastIndex = from + 1;
      if (end >= 0 && from < end) {
        end = Math.max(end, to);
        continue;
      }
      if (end >= 0) {
        out += REDACTED;
        copied = end;
      }
      out += s.slice(copied, from);
      copied = from;
      end = to;
    }
    if (end >= 0) {
      out += REDACTED;
      copied = end;
    }
    return out + s.slice(copied);
  };
  const text = (s: string): string => (begins.test(s) ? cutTail(whole(s)) : s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    // fromEntries defines properties, so a key like "__proto__" stays a plain key.
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [text(k), walk(c)]));
    return v;
  };
  /** True when no string or key in `v` holds the beginning of any form: walk would copy it unchanged. */
  const clean = (v: unknown): boolean => {
    if (typeof v === 'string') return !begins.test(v);
    if (Array.isArray(v)) return v.every(clean);
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) if (begins.test(k) || !clean(v[k])) return false;
    }
    return true;
  };
  // Each form, also as JSON.stringify or pino write it inside a string: a cheap first check.
  const probe = new RegExp(alternation([...new Set([...needles, ...needles.map((n) => JSON.stringify(n).slice(1, -1))])]));
  const json = (s: string): string => {
    if (!probe.test(s) && !anyHead?.test(s)) return s;
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return text(s);
    }
    return JSON.stringify(walk(parsed)) + (s.endsWith('\n') ? '\n' : '');
  };
  // Nearly every value holds no secret: it is returned as it is instead of copied (callers only read it).
  return { text, scrub: <T>(value: T): T => (clean(value) ? value : (walk(value) as T)), json, empty: false };
}

const byStore = new WeakMap<SecretStore, Scrubber>();

/**
 * The scrubber for every value in `store`, looked up once per store. It follows the store: when
 * the store's values change (a secret set or deleted through the API or `salve secrets`), the
 * next use takes the scrubber of the new values, so outputs, responses and log lines are
 * scrubbed of them without a restart.
 */
export function scrubberFor(store: SecretStore): Scrubber {
  let scrubber = byStore.get(store);
  if (!scrubber) {
    let seen: readonly string[] | undefined;
    let current: Scrubber = createScrubber([]);
    const now = () => {
      const values = store.values();
      if (values !== seen) {
        seen = values;
        current = createScrubber(values);
      }
      return current;
    };
    scrubber = {
      text: (s) => now().text(s),
      scrub: (v) => now().scrub(v),
      json: (s) => now().json(s),
      get empty() {
        return now().empty;
      },
    };
    byStore.set(store, scrubber);
  }
  return scrubber;
}
