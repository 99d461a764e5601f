import { z } from 'zod';
import { FLOW_FORMAT, FlowEdgeSchema, FlowNoteSchema, PositionSchema, type Flow } from '../../../shared/flow/schema.js';
import { canvasToFlow, type FlowMeta, type NoteNode, type SalveEdge, type SalveNode } from './model.js';

/**
 * Copy and paste go through the system clipboard as flow JSON: a copied selection is a
 * `salve.flow/v1` fragment (nodes, the edges between them, and notes), so it can be pasted into another
 * flow, another browser, or a text file, and a whole exported flow pastes as well.
 */

/** The selected nodes and notes and the edges between the nodes, as pretty JSON. */
export function copySelection(meta: FlowMeta, nodes: readonly SalveNode[], edges: readonly SalveEdge[], notes: readonly NoteNode[] = []): string | null {
  const chosen = nodes.filter((n) => n.selected);
  const chosenNotes = notes.filter((n) => n.selected);
  if (chosen.length === 0 && chosenNotes.length === 0) return null;
  const ids = new Set(chosen.map((n) => n.id));
  const flow = canvasToFlow(meta, chosen, edges.filter((e) => ids.has(e.source) && ids.has(e.target)), chosenNotes);
  const fragment: Record<string, unknown> = { format: FLOW_FORMAT, nodes: flow.nodes, edges: flow.edges };
  if (flow.notes) fragment.notes = flow.notes;
  return JSON.stringify(fragment, null, 2);
}

// Looser than the document schema on purpose: a pasted node keeps a config that is still being
// written; validation then shows its problems on the canvas like any other node's.
const PastedNodeSchema = z.object({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
  type: z.string().min(1),
  position: PositionSchema.optional(),
  label: z.string().max(200).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});

const FragmentSchema = z
  .object({
    format: z.literal(FLOW_FORMAT).optional(),
    nodes: z.array(PastedNodeSchema).max(500).default([]),
    edges: z.array(FlowEdgeSchema).max(2000).default([]),
    notes: z.array(FlowNoteSchema).max(200).default([]),
  })
  .refine((f) => f.nodes.length > 0 || f.notes.length > 0);

export type Fragment = Pick<Flow, 'nodes' | 'edges' | 'notes'>;

/**
 * Reads pasted text as a fragment or a whole flow. Returns null for anything else (plain text
 * pasted by accident must not turn into nodes).
 */
export function parseFragment(text: string): Fragment | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = FragmentSchema.safeParse(json);
  if (!parsed.success) return null;
  // Positions relative to the fragment's top-left corner, so it lands where it is pasted.
  const { nodes, notes } = parsed.data;
  const xs = [...nodes.map((n) => n.position?.x ?? 0), ...notes.map((n) => n.position.x)];
  const ys = [...nodes.map((n) => n.position?.y ?? 0), ...notes.map((n) => n.position.y)];
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return {
    nodes: nodes.map((n, i) => ({ ...n, position: { x: (n.position?.x ?? i * 280) - minX, y: (n.position?.y ?? 0) - minY } })),
    edges: parsed.data.edges,
    notes: notes.map((n) => ({ ...n, position: { x: n.position.x - minX, y: n.position.y - minY } })),
  };
}
