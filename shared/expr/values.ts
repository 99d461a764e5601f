/**
 * JSON data in, CEL values out, and back. Every JSON object becomes a `Map`: cel-js tells a
 * plain object's type by reading its `constructor` property, so an alert label or event field
 * named `constructor` made evaluation fail ("Unsupported type: object"); in a Map every key,
 * `constructor`, `__proto__` and `toString` included, is only a key.
 */

/**
 * JSON → CEL: objects become Maps; with `ints`, whole numbers become ints (so `steps.x.status + 1`
 * works), else every number stays a double.
 */
export function toCel(value: unknown, ints = true): unknown {
  if (typeof value === 'number') return ints && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((v) => toCel(v, ints));
  if (value && typeof value === 'object' && !(value instanceof Map)) {
    const map = new Map<string, unknown>();
    for (const key of Object.keys(value)) map.set(key, toCel((value as Record<string, unknown>)[key], ints));
    return map;
  }
  return value;
}

/** Names an own property can shadow on a plain object (`constructor`, `toString`, `__proto__`…). */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A map of strings (labels, annotations, links) as a CEL map: the object itself when none of its
 * keys shadows an Object.prototype member (the hot path: no copy), else a Map of it.
 */
export function toCelStringMap(value: Record<string, string | undefined> | undefined): object {
  if (!value) return {};
  const keys = Object.keys(value);
  if (!keys.some((key) => OBJECT_MEMBERS.has(key))) return value;
  const map = new Map<string, string>();
  for (const key of keys) {
    const v = value[key];
    if (typeof v === 'string') map.set(key, v);
  }
  return map;
}

/** Own enumerable data properties only; `Object.fromEntries` keeps a `__proto__` key as data. */
const plainObject = (entries: Iterable<[string, unknown]>) => Object.fromEntries(entries) as Record<string, unknown>;

/** CEL values back to plain JSON-friendly values (bigint → number, Map → object). */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Map) return plainObject([...value].map(([k, v]) => [String(k), toPlain(v)]));
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (value && typeof value === 'object') return plainObject(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}
