import type { RevisionDiff, ValueChange } from '../../../shared/flow/revision-diff.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { edgeId, portOf } from '../canvas/model.js';
import type { CanvasOverlay, NodeMarkInfo } from '../canvas/overlay.js';

/**
 * What the History tab draws for a comparison: the newer revision's diagram with the removed
 * steps (and their connections) put back where they stood, each node marked added, removed,
 * changed or moved, and the connections that appeared drawn as taken.
 */
export interface CompareCanvas {
  flow: Pick<Flow, 'nodes' | 'edges' | 'notes'>;
  overlay: CanvasOverlay;
  /** The added connections; null when none were added (then nothing is dimmed). */
  highlightedEdges: ReadonlySet<string> | null;
}

export function compareCanvas(older: Flow, newer: Flow, diff: RevisionDiff): CompareCanvas {
  const removedIds = new Set(diff.nodes.filter((n) => n.kind === 'removed').map((n) => n.id));
  const removedNodes = older.nodes.filter((n) => removedIds.has(n.id));
  const marks = new Map<string, NodeMarkInfo>();
  for (const change of diff.nodes) {
    const changed = change.changes.filter((c) => c.path !== 'position').length;
    const note = change.kind === 'changed' ? `${changed} change${changed === 1 ? '' : 's'}` : undefined;
    marks.set(change.id, note ? { mark: change.kind, note } : { mark: change.kind });
  }
  // The canvas names an edge by its port, the single output filled in when the document omits it.
  const typeOf = new Map(newer.nodes.map((n) => [n.id, n.type]));
  const added = diff.edges.added.map((e) => edgeId(e.source, portOf(typeOf.get(e.source) ?? '', e.sourcePort), e.target));
  return {
    flow: { nodes: [...newer.nodes, ...removedNodes], edges: [...newer.edges, ...diff.edges.removed], notes: newer.notes },
    overlay: { issues: new Map(), marks },
    highlightedEdges: added.length > 0 ? new Set(added) : null,
  };
}

/** A value of a change as one short line: JSON, cut at `max` characters; `(not set)` when absent. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return '(not set)';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "config.url: "a" → "b"", for a title or a screen reader. */
export function describeChange(change: ValueChange): string {
  return `${change.path}: ${showValue(change.before)} → ${showValue(change.after)}`;
}

/** The one-line summary of a comparison ("2 steps changed · 1 added · 1 connection removed"). */
export function diffSummary(diff: RevisionDiff): string {
  if (diff.identical) return 'No differences';
  const count = (kind: string) => diff.nodes.filter((n) => n.kind === kind).length;
  const parts: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (count('changed')) parts.push(`${plural(count('changed'), 'step')} changed`);
  if (count('added')) parts.push(`${plural(count('added'), 'step')} added`);
  if (count('removed')) parts.push(`${plural(count('removed'), 'step')} removed`);
  if (count('moved')) parts.push(`${plural(count('moved'), 'step')} moved`);
  if (diff.edges.added.length) parts.push(`${plural(diff.edges.added.length, 'connection')} added`);
  if (diff.edges.removed.length) parts.push(`${plural(diff.edges.removed.length, 'connection')} removed`);
  if (diff.flow.length) parts.push(`${plural(diff.flow.length, 'flow setting')} changed`);
  const notes = diff.notes.added.length + diff.notes.removed.length + diff.notes.changed.length;
  if (notes) parts.push(`${plural(notes, 'note')} changed`);
  return parts.join(' · ');
}
