import type { Flow, FlowEdge, FlowNode } from './schema.js';

/**
 * What changed between two revisions of a flow, as a person reviewing a change reads it: which
 * steps were added, removed or changed (and at which config paths, old → new), which
 * connections appeared or went, and what changed on the flow itself (name, enabled, settings).
 * Pure: the editor's History tab and the API's users compute it from two documents.
 */

/** One value that differs; `path` reads like `config.headers[0].value` or `settings.allowedTargets`. */
export interface ValueChange {
  path: string;
  /** undefined when the value was not set in that revision. */
  before: unknown;
  after: unknown;
}

/**
 * `moved` is a node whose only difference is its place on the canvas: shown apart from real
 * changes, since moving a box changes nothing that runs.
 */
type NodeChangeKind = 'added' | 'removed' | 'changed' | 'moved';

interface NodeChange {
  id: string;
  type: string;
  /** The node's label in the newer revision (the older one for a removed node). */
  label?: string;
  kind: NodeChangeKind;
  /** For `changed` and `moved`: every differing value, `position` last. Empty for added/removed. */
  changes: ValueChange[];
}

export interface RevisionDiff {
  /** Changes to the flow's own fields: name, description, enabled, settings.*. */
  flow: ValueChange[];
  /** Nodes that differ, in the newer revision's order, removed ones after. */
  nodes: NodeChange[];
  edges: { added: FlowEdge[]; removed: FlowEdge[] };
  notes: { added: string[]; removed: string[]; changed: string[] };
  /** True when nothing at all differs (not even a position). */
  identical: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Whether two JSON values are equal (object key order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The leaf paths at which `before` and `after` differ. Objects are compared key by key and
 * arrays index by index while both sides have the same shape; where the shape changes (a
 * string became an object, a list grew) the whole value at that path is reported.
 */
export function valueChanges(before: unknown, after: unknown, base = ''): ValueChange[] {
  if (jsonEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => valueChanges(before[k], after[k], joinPath(base, k)));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => valueChanges(v, after[i], joinPath(base, i)));
  }
  return [{ path: base, before, after }];
}

/** The fields of a node compared for `changed`; position is compared apart (see `moved`). */
function nodeChanges(before: FlowNode, after: FlowNode): ValueChange[] {
  const { position: pb, ...restBefore } = before;
  const { position: pa, ...restAfter } = after;
  const changes = valueChanges(restBefore, restAfter);
  if (!jsonEqual(pb, pa)) changes.push({ path: 'position', before: pb, after: pa });
  return changes;
}

const edgeKey = (e: FlowEdge) => `${e.source}\u0000${e.sourcePort ?? ''}\u0000${e.target}`;

function edgeDiff(before: readonly FlowEdge[], after: readonly FlowEdge[]): RevisionDiff['edges'] {
  const beforeKeys = new Set(before.map(edgeKey));
  const afterKeys = new Set(after.map(edgeKey));
  return {
    added: after.filter((e) => !beforeKeys.has(edgeKey(e))),
    removed: before.filter((e) => !afterKeys.has(edgeKey(e))),
  };
}

function noteDiff(before: Flow['notes'], after: Flow['notes']): RevisionDiff['notes'] {
  const b = new Map((before ?? []).map((n) => [n.id, n]));
  const a = new Map((after ?? []).map((n) => [n.id, n]));
  return {
    added: [...a.keys()].filter((id) => !b.has(id)),
    removed: [...b.keys()].filter((id) => !a.has(id)),
    changed: [...a.keys()].filter((id) => b.has(id) && !jsonEqual(b.get(id), a.get(id))),
  };
}

/** What changed from `before` (the older revision) to `after` (the newer one). */
export function diffRevisions(before: Flow, after: Flow): RevisionDiff {
  const flow = [
    ...valueChanges(before.name, after.name, 'name'),
    ...valueChanges(before.description, after.description, 'description'),
    ...valueChanges(before.enabled, after.enabled, 'enabled'),
    ...valueChanges(before.settings ?? {}, after.settings ?? {}, 'settings'),
  ];

  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterIds = new Set(after.nodes.map((n) => n.id));
  const nodes: NodeChange[] = [];
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    const label = node.label;
    if (!old) {
      nodes.push({ id: node.id, type: node.type, label, kind: 'added', changes: [] });
      continue;
    }
    const changes = nodeChanges(old, node);
    if (changes.length === 0) continue;
    const kind = changes.every((c) => c.path === 'position') ? 'moved' : 'changed';
    nodes.push({ id: node.id, type: node.type, label, kind, changes });
  }
  for (const node of before.nodes) {
    if (!afterIds.has(node.id)) nodes.push({ id: node.id, type: node.type, label: node.label, kind: 'removed', changes: [] });
  }

  const edges = edgeDiff(before.edges, after.edges);
  const notes = noteDiff(before.notes, after.notes);
  const identical =
    flow.length === 0 &&
    nodes.length === 0 &&
    edges.added.length + edges.removed.length === 0 &&
    notes.added.length + notes.removed.length + notes.changed.length === 0;
  return { flow, nodes, edges, notes, identical };
}
