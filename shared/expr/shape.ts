import { MAX_ALERT_TEXT_BYTES, MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES } from '../alert/limits.js';
import { Bound } from './bound.js';

/**
 * What the cost estimate knows about a value: its kind and bounds on its size. `len` is the
 * length of a string, the number of elements of a list or entries of a map. `dyn` is JSON data
 * of unknown shape: no collection in it has more than `len` elements and no string more than
 * `chars` characters (and all of them together, too: see Bound.sharedOver).
 */
export type Shape =
  | { t: 'none' }
  | { t: 'scalar' }
  | { t: 'string'; len: Bound }
  | { t: 'list'; len: Bound; elem: Shape; total: Bound }
  | { t: 'map'; len: Bound; key: Shape; value: Shape }
  | { t: 'object'; fields: Record<string, Shape> }
  | { t: 'dyn'; len: Bound; chars: Bound };

/**
 * Sizes assumed for JSON whose size is known only when it arrives (docs/flow-format.md,
 * "Limits"). Strings follow the real caps; element counts are an assumption (a 256 KiB body
 * can hold 100,000 tiny elements): the runtime budget is the authority beyond them.
 */
export const DATA_ASSUMPTIONS = {
  /** `event` and `alert.raw`: the delivery body, at most the default hook body limit. */
  body: { elements: 1000, chars: 256 * 1024 },
  /** `steps.<id>`: response bodies and command output are cut at 1 MiB. */
  stepOutput: { elements: 1000, chars: 1024 * 1024 },
  /** `flow` and `execution`: a few short fields. */
  small: { elements: 16, chars: 4096 },
} as const;

export const NOTHING: Shape = { t: 'none' };
export const SCALAR: Shape = { t: 'scalar' };
export const str = (len: Bound): Shape => ({ t: 'string', len });
export const dyn = (a: { elements: number; chars: number }): Shape => ({ t: 'dyn', len: Bound.of(a.elements), chars: Bound.of(a.chars) });

const stringMap = (entries: number, keyChars: number, valueChars: number): Shape => ({
  t: 'map',
  len: Bound.of(entries),
  key: str(Bound.of(keyChars)),
  value: str(Bound.of(valueChars)),
});

/** The variables, with the sizes ingest enforces (shared/alert/limits.ts) or assumes. */
export function rootShapes(): Record<string, Shape> {
  const text = str(Bound.of(MAX_ALERT_TEXT_BYTES));
  const labels = stringMap(MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES, MAX_VALUE_BYTES);
  return {
    alert: {
      t: 'object',
      fields: {
        source: text,
        status: text,
        name: text,
        severity: text,
        summary: text,
        description: text,
        labels,
        annotations: labels,
        startsAt: text,
        endsAt: text,
        fingerprint: text,
        dedupKey: text,
        links: stringMap(4, 16, MAX_ALERT_TEXT_BYTES),
        raw: dyn(DATA_ASSUMPTIONS.body),
      },
    },
    event: dyn(DATA_ASSUMPTIONS.body),
    steps: dyn(DATA_ASSUMPTIONS.stepOutput),
    flow: dyn(DATA_ASSUMPTIONS.small),
    execution: dyn(DATA_ASSUMPTIONS.small),
    // A `flow.call`'s input: at most 64 KiB of JSON.
    input: dyn({ elements: 1000, chars: 64 * 1024 }),
    // Approval links: one short URL per approval node.
    approval: dyn(DATA_ASSUMPTIONS.small),
  };
}

/** Applies `f` to every bound in a shape. */
export function mapBounds(s: Shape, f: (b: Bound) => Bound): Shape {
  switch (s.t) {
    case 'string':
      return { t: 'string', len: f(s.len) };
    case 'list':
      return { t: 'list', len: f(s.len), elem: mapBounds(s.elem, f), total: f(s.total) };
    case 'map':
      return { t: 'map', len: f(s.len), key: mapBounds(s.key, f), value: mapBounds(s.value, f) };
    case 'dyn':
      return { t: 'dyn', len: f(s.len), chars: f(s.chars) };
    case 'object':
      return { t: 'object', fields: Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, mapBounds(v, f)])) };
    default:
      return s;
  }
}

/** Element count of a collection, length of a string; for data, its element bound. */
export function lengthOf(s: Shape): Bound {
  switch (s.t) {
    case 'string':
    case 'list':
    case 'map':
    case 'dyn':
      return s.len;
    case 'object':
      return Bound.of(Object.keys(s.fields).length);
    default:
      return Bound.ZERO;
  }
}

/** Characters a value holds (all its strings together), for `join` and `+`. */
export function charsOf(s: Shape): Bound {
  switch (s.t) {
    case 'string':
      return s.len;
    case 'list':
      return s.total;
    case 'dyn':
      return s.chars;
    case 'map':
      return s.len.mul(lengthOf(s.key).plus(lengthOf(s.value)));
    case 'object':
      return Object.values(s.fields).reduce((sum, f) => sum.plus(charsOf(f)), Bound.ZERO);
    default:
      return Bound.ZERO;
  }
}

/** Bytes the runtime budget charges for building such a value (budget.ts `producedBytes`). */
export function producedOf(s: Shape): Bound {
  switch (s.t) {
    case 'string':
      return s.len.times(2);
    case 'list':
      return s.len.times(8);
    case 'map':
      return s.len.times(16);
    case 'dyn':
      return s.chars.times(2).plus(s.len.times(16));
    default:
      return Bound.ZERO;
  }
}

/** JSON data bounds covering a shape (when two different kinds meet). */
function asDyn(s: Shape): { len: Bound; chars: Bound } {
  if (s.t === 'dyn') return s;
  if (s.t === 'list') return { len: s.len.plus(lengthOf(s.elem)), chars: s.total };
  return { len: lengthOf(s), chars: charsOf(s) };
}

/** A value that is one of two shapes (a ternary, the elements of a list literal). */
export function either(a: Shape, b: Shape): Shape {
  if (a.t === 'none') return b;
  if (b.t === 'none') return a;
  if (a.t === 'scalar' && b.t === 'scalar') return a;
  if (a.t === 'string' && b.t === 'string') return str(a.len.or(b.len));
  if (a.t === 'list' && b.t === 'list') return { t: 'list', len: a.len.or(b.len), elem: either(a.elem, b.elem), total: a.total.or(b.total) };
  if (a.t === 'map' && b.t === 'map') return { t: 'map', len: a.len.or(b.len), key: either(a.key, b.key), value: either(a.value, b.value) };
  if (a.t === 'scalar') return b;
  if (b.t === 'scalar') return a;
  const x = asDyn(a);
  const y = asDyn(b);
  return { t: 'dyn', len: x.len.or(y.len), chars: x.chars.or(y.chars) };
}

/** The result of `a + b` when it is a string, list or data. */
export function concat(a: Shape, b: Shape): Shape {
  if (a.t === 'string' || b.t === 'string') return str(charsOf(a).plus(charsOf(b)));
  if (a.t === 'list' && b.t === 'list') return { t: 'list', len: a.len.plus(b.len), elem: either(a.elem, b.elem), total: a.total.plus(b.total) };
  const x = asDyn(a);
  const y = asDyn(b);
  return { t: 'dyn', len: x.len.plus(y.len), chars: x.chars.plus(y.chars) };
}
