import type { Edge, Node } from '@xyflow/react';
import { FLOW_FORMAT, type Flow, type FlowNote, type FlowSettings } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { RetryPolicy } from '../../../shared/flow/retry.js';
import type { OnResolved } from '../../../shared/flow/on-resolved.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';

/**
 * The canvas holds React Flow nodes and edges (they carry UI state: selection, measured size);
 * the flow document is what is saved. These functions are the only bridge between the two, so
 * React Flow's objects never leak into a saved document.
 */

export interface SalveNodeData extends Record<string, unknown> {
  /** Node type, as the catalog names it. */
  type: string;
  /** Optional display name (the document's `label`). */
  label?: string;
  /** The config exactly as written in the document; it may be incomplete while being edited. */
  config: Record<string, unknown>;
  /** The document's `retry` policy and `retryUnsafe`, kept as written (the node panel's Retry section). */
  retry?: RetryPolicy;
  retryUnsafe?: boolean;
  /** The document's `onResolved`, kept as written (the node panel's "When the alert resolves"). */
  onResolved?: OnResolved;
}
export type SalveNode = Node<SalveNodeData, 'salve'>;

interface SalveEdgeData extends Record<string, unknown> {
  /** The output port, as the document names it (`undefined` when the node has a single port). */
  port: string | undefined;
}
export type SalveEdge = Edge<SalveEdgeData>;

/** A sticky note's canvas data: its text and colour (the document's `notes[]` entry). */
interface NoteNodeData extends Record<string, unknown> {
  text: string;
  color?: FlowNote['color'];
}
export type NoteNode = Node<NoteNodeData, 'note'>;

/**
 * Notes share React Flow's id space with nodes; the prefix keeps them apart (node ids cannot
 * contain ":"), so a note may have the same id as a node in the document.
 */
const NOTE_PREFIX = 'note:';
export const noteCanvasId = (id: string) => `${NOTE_PREFIX}${id}`;
export const noteDocId = (canvasId: string) => canvasId.slice(NOTE_PREFIX.length);
export const isNoteId = (canvasId: string) => canvasId.startsWith(NOTE_PREFIX);

export const DEFAULT_NOTE_SIZE = { width: 220, height: 120 };

/** Canvas notes for a document's notes. */
export function notesToCanvas(notes: readonly FlowNote[] | undefined): NoteNode[] {
  return (notes ?? []).map((n) => {
    const data: NoteNodeData = { text: n.text };
    if (n.color) data.color = n.color;
    const size = n.size ?? DEFAULT_NOTE_SIZE;
    return { id: noteCanvasId(n.id), type: 'note', position: n.position, data, width: size.width, height: size.height };
  });
}

/** The document's notes for the canvas notes (positions and sizes rounded). */
function canvasToNotes(notes: readonly NoteNode[]): FlowNote[] {
  return notes.map((n) => {
    const out: FlowNote = {
      id: noteDocId(n.id),
      text: n.data.text,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      size: {
        width: Math.round(n.width ?? n.measured?.width ?? DEFAULT_NOTE_SIZE.width),
        height: Math.round(n.height ?? n.measured?.height ?? DEFAULT_NOTE_SIZE.height),
      },
    };
    if (n.data.color) out.color = n.data.color;
    return out;
  });
}

/** A note id not yet used: `note_1`, `note_2`… */
export function uniqueNoteId(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) {
    if (!taken.has(`note_${i}`)) return `note_${i}`;
  }
}

/** The document fields that are not nodes or edges. */
export interface FlowMeta {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  /** Kept as loaded and saved back: dropping it would widen where the flow may connect. */
  settings?: FlowSettings;
  /** The flow's guard rails (the settings panel's Guard rails section), kept as written. */
  limits?: FlowLimits;
}

export const DEFAULT_NODE_SIZE = { width: 240, height: 72 };

/** The port an edge leaves from: its own, or the only port of its node type. */
export function portOf(type: string, port: string | undefined): string | undefined {
  if (port) return port;
  const outputs = getNodeDefinition(type)?.outputs ?? [];
  return outputs.length === 1 ? outputs[0] : undefined;
}

/** A stable id for an edge: one edge per (source, port, target) is all a flow allows. */
export function edgeId(source: string, port: string | undefined, target: string): string {
  return `${source}:${port ?? ''}->${target}`;
}

/** How an edge is drawn: labelled with its port when the node has more than one. */
export function makeEdge(source: string, sourceType: string, port: string | undefined, target: string): SalveEdge {
  const handle = portOf(sourceType, port);
  const manyPorts = (getNodeDefinition(sourceType)?.outputs.length ?? 0) > 1;
  const edge: SalveEdge = {
    id: edgeId(source, handle, target),
    source,
    target,
    data: { port: manyPorts ? handle : undefined },
  };
  if (handle) edge.sourceHandle = handle;
  if (manyPorts && handle) edge.label = handle;
  return edge;
}

/** Canvas nodes and edges for a flow document; nodes without a position are placed in a row. */
export function flowToCanvas(flow: Pick<Flow, 'nodes' | 'edges'>): { nodes: SalveNode[]; edges: SalveEdge[] } {
  const nodes: SalveNode[] = flow.nodes.map((n, i) => {
    const data: SalveNodeData = { type: n.type, config: n.config ?? {} };
    if (n.label !== undefined) data.label = n.label;
    if (n.retry !== undefined) data.retry = n.retry;
    if (n.retryUnsafe !== undefined) data.retryUnsafe = n.retryUnsafe;
    if (n.onResolved !== undefined) data.onResolved = n.onResolved;
    return { id: n.id, type: 'salve', position: n.position ?? { x: i * 300, y: 0 }, data };
  });
  const typeOf = new Map(flow.nodes.map((n) => [n.id, n.type]));
  const edges = (flow.edges ?? []).map((e) => makeEdge(e.source, typeOf.get(e.source) ?? '', e.sourcePort, e.target));
  return { nodes, edges };
}

/** The flow document for what is on the canvas (positions rounded: they are for people). */
export function canvasToFlow(meta: FlowMeta, nodes: readonly SalveNode[], edges: readonly SalveEdge[], notes: readonly NoteNode[] = []): Flow {
  const flow: Flow = {
    format: FLOW_FORMAT,
    id: meta.id,
    name: meta.name,
    enabled: meta.enabled,
    nodes: nodes.map((n) => {
      const out: Flow['nodes'][number] = {
        id: n.id,
        type: n.data.type,
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
        config: n.data.config,
      };
      if (n.data.label !== undefined && n.data.label !== '') out.label = n.data.label;
      if (n.data.retry !== undefined) out.retry = n.data.retry;
      if (n.data.retryUnsafe !== undefined) out.retryUnsafe = n.data.retryUnsafe;
      if (n.data.onResolved !== undefined) out.onResolved = n.data.onResolved;
      return out;
    }),
    edges: edges.map((e) => {
      const out: Flow['edges'][number] = { source: e.source, target: e.target };
      if (e.data?.port) out.sourcePort = e.data.port;
      return out;
    }),
  };
  if (meta.description) flow.description = meta.description;
  if (meta.settings && Object.keys(meta.settings).length > 0) flow.settings = meta.settings;
  if (meta.limits && Object.keys(meta.limits).length > 0) flow.limits = meta.limits;
  if (notes.length > 0) flow.notes = canvasToNotes(notes);
  return flow;
}

/** A node id not yet used: `http`, `http_2`, `http_3`… (ids must start with a letter). */
export function uniqueNodeId(base: string, taken: ReadonlySet<string>): string {
  let stem = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, '') || 'node';
  stem = stem.slice(0, 56);
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i++) {
    const candidate = `${stem}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** An empty flow for the "New flow" page. */
export function emptyFlow(): Flow {
  return { format: FLOW_FORMAT, id: 'new-flow', name: 'New flow', enabled: false, nodes: [], edges: [] } as unknown as Flow;
}
