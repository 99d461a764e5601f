import { isRecord } from '../../../shared/guards.js';

/**
 * Reading and writing a config at a path, immutably. The config is the flow document's own
 * object, so every write returns a new object and leaves the old one (the undo history) intact.
 */
export type Path = readonly (string | number)[];

/** The value at `path`, or undefined when any step is missing. */
export function getAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isRecord(current) && Object.hasOwn(current, String(key))) current = current[String(key)];
    else return undefined;
  }
  return current;
}

// Keys come from the operator (header names, env names); `__proto__` must stay an own key.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setIn(container: unknown, path: Path, value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (typeof key === 'number') {
    const list = Array.isArray(container) ? [...container] : [];
    if (rest.length === 0 && value === undefined) {
      list.splice(key, 1);
      return list;
    }
    list[key] = setIn(list[key], rest, value);
    return list;
  }
  const copy: Record<string, unknown> = {};
  if (isRecord(container)) for (const [k, v] of Object.entries(container)) define(copy, k, v);
  if (rest.length === 0 && value === undefined) {
    delete copy[key];
    return copy;
  }
  define(copy, key, setIn(copy[key], rest, value));
  return copy;
}

/**
 * A copy of `config` with `value` at `path`; `undefined` removes the key (or the list item).
 * Missing objects along the way are created; parents are never pruned, since a required
 * object (like `mapping`) must stay even when empty.
 */
export function setAt(config: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  if (path.length === 0) return isRecord(value) ? value : {};
  return setIn(config, path, value) as Record<string, unknown>;
}

/** True for what an empty input produces: '', [], {} (and undefined). */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

/**
 * Writes what a field's input produced. Optional fields left empty are removed, so the
 * document never gains `""` or `[]` the operator did not mean; required fields keep the empty
 * value so validation names them ("url is required").
 */
export function writeField(config: Record<string, unknown>, field: { path: Path; required: boolean }, value: unknown): Record<string, unknown> {
  if (value === undefined || (!field.required && isEmptyValue(value))) return setAt(config, field.path, undefined);
  return setAt(config, field.path, value);
}

/** A stable map key for a path (segments compared as strings: issue paths use numbers for lists). */
export function pathKey(path: Path): string {
  return JSON.stringify(path.map(String));
}

/** `['headers', 'X-Token']` → `headers.X-Token`, for names and test ids. */
export function dotted(path: Path): string {
  return path.map(String).join('.');
}
