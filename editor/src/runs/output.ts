import { getNodeDefinition } from '../../../nodes/catalog.js';
import { commandLineOf } from '../../../nodes/output-view.js';

/**
 * Reading rendered configs the way a person would: a command line, an HTTP request line,
 * instead of raw JSON. What each line says is the node type's own (its definition's
 * `commandLine`); step outputs are read through `present` (ReadableOutput.tsx).
 */

/**
 * The one line that says what a rendered config does, for the node types where that line is
 * obvious: `systemctl restart postgresql`, `POST http://host/cleanup`, `wait 5 min`. Null for
 * other types, or a config that does not fit its type (the JSON is shown instead).
 */
export function commandLine(nodeType: string, config: unknown): string | null {
  return commandLineOf(getNodeDefinition(nodeType), config);
}

/** Text for a pretty-printed JSON block; `undefined` (absent) reads as nothing rather than "undefined". */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
