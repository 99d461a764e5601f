import { getAt, pathKey, type Path } from './config-paths.js';
import type { FieldModel } from './field-model.js';
import { isRecord } from '../../../shared/guards.js';

/** A problem placed at a rendered field; `rest` is the part of its path below that field. */
export interface PlacedIssue {
  path: (string | number)[];
  message: string;
  rest: (string | number)[];
}

export interface IssuePlacement {
  /** By `pathKey` of the anchor the issue belongs to. */
  at: Map<string, PlacedIssue[]>;
  /** Issues with an empty path, or a path no rendered field contains. */
  top: PlacedIssue[];
}

/**
 * Every path the form shows a place for, given the current config: each field, the
 * discriminator and fields of the chosen union variant, each key of a map (issues name map
 * entries by key, e.g. `['headers', 'X-Token']`) and each item of an argv list.
 */
export function anchorPaths(fields: readonly FieldModel[], config: unknown): Path[] {
  const anchors: Path[] = [];
  const walk = (list: readonly FieldModel[]) => {
    for (const field of list) {
      anchors.push(field.path);
      const value = getAt(config, field.path);
      switch (field.kind) {
        case 'object':
          walk(field.fields);
          break;
        case 'union': {
          anchors.push([...field.path, field.discriminator]);
          const chosen = isRecord(value) ? value[field.discriminator] : undefined;
          const variant = field.variants.find((v) => v.value === chosen);
          if (variant) walk(variant.fields);
          break;
        }
        case 'keyValue':
          if (isRecord(value)) for (const key of Object.keys(value)) anchors.push([...field.path, key]);
          break;
        case 'argv':
          if (Array.isArray(value)) for (let i = 0; i < value.length; i++) anchors.push([...field.path, i]);
          break;
        default:
          break;
      }
    }
  };
  walk(fields);
  return anchors;
}

/**
 * Places each issue at the deepest anchor that is a prefix of its path (the nearest rendered
 * ancestor); what no anchor contains goes to the top of the form.
 */
export function placeIssues(issues: readonly { path: readonly (string | number)[]; message: string }[], anchors: readonly Path[]): IssuePlacement {
  const known = new Set(anchors.map(pathKey));
  const at = new Map<string, PlacedIssue[]>();
  const top: PlacedIssue[] = [];
  for (const issue of issues) {
    const path = [...issue.path];
    let placed = false;
    for (let length = path.length; length > 0; length--) {
      const key = pathKey(path.slice(0, length));
      if (!known.has(key)) continue;
      const list = at.get(key) ?? [];
      list.push({ path, message: issue.message, rest: path.slice(length) });
      at.set(key, list);
      placed = true;
      break;
    }
    if (!placed) top.push({ path, message: issue.message, rest: path });
  }
  return { at, top };
}

/**
 * How an issue reads under its field: an issue about item 2 of a list shows as
 * "item 3: must be…"; one about a key inside a JSON value as "a.b: …". Nothing is added for
 * the inside of a secret reference (`.secret`) — the field is the reference.
 */
export function issueText(issue: PlacedIssue): string {
  const rest = issue.rest.filter((segment) => segment !== 'secret');
  // zod's wording for a missing value; under an empty field "Required" says it plainly.
  const message = /^Invalid input: expected \w+, received undefined$/.test(issue.message) ? 'Required' : issue.message;
  if (rest.length === 0) return message;
  const where = rest.map((s) => (typeof s === 'number' ? `item ${s + 1}` : s)).join(' › ');
  return `${where}: ${message}`;
}

/**
 * How an issue reads under a list typed one item per line: an item's problem names the line it
 * is on (`lines[i]` is the line of item `i`; blank lines are not items), so "line 3: must be an
 * IP address…" points at what to fix.
 */
export function listIssueText(issue: PlacedIssue, lines: readonly number[]): string {
  const [first, ...rest] = issue.rest;
  if (typeof first !== 'number') return issueText(issue);
  const line = lines[first];
  const where = line === undefined ? `item ${first + 1}` : `line ${line}`;
  const message = issueText({ ...issue, rest });
  return rest.length === 0 ? `${where}: ${message}` : `${where} › ${message}`;
}

/** `nodes[2].config.url`-style text for an issue shown at the top of the form. */
export function issuePathText(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
