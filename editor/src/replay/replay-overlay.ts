import type { ReplayRun, ReplaySide } from '../../../shared/flow/replay-compare.js';
import { edgeId } from '../canvas/model.js';
import type { NodeMarkInfo } from '../canvas/overlay.js';

/** What the canvas draws for one replayed run: both paths over the draft, and the saved path's nodes the draft no longer has. */
export interface ReplayDrawing {
  marks: Map<string, NodeMarkInfo>;
  /** Edge id → `replay-both`, `replay-saved` or `replay-draft`. */
  edges: Map<string, string>;
  /** Nodes the saved flow went through that are not in the draft (they cannot be drawn on it). */
  savedOnlyMissing: string[];
}

const pathOf = (side: ReplaySide | null) => (side?.starts ? side.path : []);
const edgesOf = (side: ReplaySide | null) => (side?.starts ? side.edges : []);

/**
 * Marks for one run: a node both flows go through is `replay-both` (its note says the port, or
 * both ports when they differ), one only the saved flow went through `replay-saved`, one only
 * the draft would go through `replay-draft`, every other node of the draft `skipped`.
 */
export function overlayFromReplay(run: ReplayRun, draftNodeIds: readonly string[]): ReplayDrawing {
  const saved = new Map(pathOf(run.saved).map((s) => [s.nodeId, s]));
  const draft = new Map(pathOf(run.draft).map((s) => [s.nodeId, s]));
  const present = new Set(draftNodeIds);
  const marks = new Map<string, NodeMarkInfo>();
  const portOf = (s: { port?: string; error?: string }) => (s.error !== undefined ? 'error' : (s.port ?? '–'));
  // Rendered fields that differ, per node: said on the node ("url differs").
  const differing = new Map<string, string[]>();
  for (const diff of run.differences) if (diff.kind === 'action') differing.set(diff.nodeId, [...(differing.get(diff.nodeId) ?? []), diff.field || 'config']);
  for (const [id, d] of draft) {
    const s = saved.get(id);
    const fields = differing.get(id);
    const rendered = fields ? ` · ${fields.join(', ')} differ${fields.length === 1 ? 's' : ''}` : '';
    if (!s) marks.set(id, { mark: 'replay-draft', note: `draft: ${portOf(d)}` });
    else marks.set(id, { mark: 'replay-both', note: (portOf(s) === portOf(d) ? portOf(d) : `saved: ${portOf(s)} · draft: ${portOf(d)}`) + rendered });
  }
  const savedOnlyMissing: string[] = [];
  for (const [id, s] of saved) {
    if (draft.has(id)) continue;
    if (present.has(id)) marks.set(id, { mark: 'replay-saved', note: `saved: ${portOf(s)}` });
    else savedOnlyMissing.push(id);
  }
  for (const id of draftNodeIds) if (!marks.has(id)) marks.set(id, { mark: 'skipped' });
  const edges = new Map<string, string>();
  const savedEdges = new Set(edgesOf(run.saved).map((e) => edgeId(e.source, e.sourcePort, e.target)));
  const draftEdges = new Set(edgesOf(run.draft).map((e) => edgeId(e.source, e.sourcePort, e.target)));
  for (const id of draftEdges) edges.set(id, savedEdges.has(id) ? 'replay-both' : 'replay-draft');
  for (const id of savedEdges) if (!draftEdges.has(id)) edges.set(id, 'replay-saved');
  return { marks, edges, savedOnlyMissing };
}
