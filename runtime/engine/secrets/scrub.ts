import { isPlainObject } from '../../../shared/guards.js';
import type { SecretStore } from './secrets.js';

/**
 * Removing secrets from everything Salve stores, logs or returns. A step's output is whatever a
 * command printed or a target answered, so a secret can come back in many shapes: as it is,
 * inside JSON text, URL-encoded, hex, or base64 (e.g. `Authorization: Basic base64(user:secret)`,
 * where the secret sits at any offset of a longer base64 text). The scrubber knows each of these
 * forms of every secret Salve holds, referenced by the step or not.
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

/**
 * Shortest secret that can be scrubbed: a shorter one would match all over ordinary text (and
 * is no secret). The launcher refuses to start with a shorter secret.
 */
export const MIN_SECRET_LENGTH = 4;

export interface Scrubber {
  /** `text` with every form of every secret replaced by `***`. */
  text(text: string): string;
  /**
   * `value` with every string scrubbed, deeply: values AND object keys, in arrays and plain
   * objects. Other objects (Dates…) are returned as they are; pass JSON data.
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

const upperHexEscapes = (s: string) => s.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
const lowerHexEscapes = (s: string) => s.replace(/%[0-9a-f]{2}/gi, (m) => m.toLowerCase());

/** JSON string-literal bodies of `s` as common serializers write them. */
function jsonForms(s: string): string[] {
  const js = JSON.stringify(s).slice(1, -1); // JavaScript, Go (mostly), jq
  // Python's json.dumps (ensure_ascii) and others escape everything beyond ASCII.
  const ascii = js.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // PHP's json_encode escapes "/".
  return [js, ascii, js.replaceAll('/', '\\/'), ascii.replaceAll('/', '\\/')];
}

/** Percent-encoded forms: URL components, form bodies (`+` for spaces), lower-case hex digits. */
function urlForms(s: string): string[] {
  const component = encodeURIComponent(s);
  const form = new URLSearchParams([['', s]]).toString().slice(1); // drops the leading "="
  const forms = [component, component.replaceAll('%20', '+'), form, encodeURI(s)];
  return forms.flatMap((f) => [upperHexEscapes(f), lowerHexEscapes(f)]);
}

/**
 * The base64 characters that depend only on the secret's bytes, for each of the three offsets
 * the secret can have inside a longer base64 text (the one or two characters at each edge also
 * depend on the neighbouring bytes, so they are left out), in the standard and URL-safe alphabets.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i carries bits [6i, 6i+6); the secret occupies bits [8·offset, 8·(offset+n)).
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    forms.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/** Every form of `secret` the scrubber looks for, longest first, without repeats. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  const forms = new Set([secret, ...jsonForms(secret), ...urlForms(secret), hex, hex.toUpperCase(), ...base64Forms(bytes)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** A scrubber for `secrets` (each secret's forms are computed here, once). */
export function createScrubber(secrets: Iterable<string>): Scrubber {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) for (const form of secretForms(secret)) all.add(form);
  }
  // Longest first, so a longer form is replaced whole before a shorter one inside it.
  const needles = [...all].sort((a, b) => b.length - a.length);

  const text = (s: string): string => {
    let out = s;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    // fromEntries defines properties, so a key like "__proto__" stays a plain key.
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [text(k), walk(c)]));
    return v;
  };
  // Each form as it is, and as JSON.stringify or pino write it inside a string: a cheap first check.
  const probes = [...new Set([...needles, ...needles.map((n) => JSON.stringify(n).slice(1, -1))])];
  const json = (s: string): string => {
    if (!probes.some((n) => s.includes(n))) return s;
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return text(s);
    }
    return JSON.stringify(walk(parsed)) + (s.endsWith('\n') ? '\n' : '');
  };
  if (needles.length === 0) return { text: (s) => s, scrub: (v) => v, json: (s) => s, empty: true };
  return { text, scrub: <T>(value: T): T => walk(value) as T, json, empty: false };
}

const cache = new WeakMap<SecretStore, Scrubber>();

/**
 * The scrubber for every value in `store`. It follows the store: when the store's values change
 * (a secret set or deleted through the API), the next use rebuilds it, so outputs, responses and
 * log lines are scrubbed of the new values without a restart.
 */
export function scrubberFor(store: SecretStore): Scrubber {
  let scrubber = cache.get(store);
  if (!scrubber) {
    let seen: readonly string[] | undefined;
    let built: Scrubber = createScrubber([]);
    const current = () => {
      const values = store.values();
      if (values !== seen) {
        seen = values;
        built = createScrubber(values);
      }
      return built;
    };
    scrubber = {
      text: (s) => current().text(s),
      scrub: (v) => current().scrub(v),
      json: (s) => current().json(s),
      get empty() {
        return current().empty;
      },
    };
    cache.set(store, scrubber);
  }
  return scrubber;
}
