/**
 * Type guards for values of unknown shape (parsed JSON, configs being edited), shared by the
 * server and the editor so each question is answered the same way everywhere.
 */

/** Whether `v` is an object with string keys: not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether `v` is a plain object (`{…}` or `Object.create(null)`): a record whose prototype is
 * Object's or none, so not a Date, Map, class instance or anything else with behaviour.
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!isRecord(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
