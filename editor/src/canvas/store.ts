import type { RetryPolicy } from '../../../shared/flow/retry.js';
import type { OnResolved } from '../../../shared/flow/on-resolved.js';
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { layoutNodes } from './layout.js';
import {
  canvasToFlow,
  flowToCanvas,
  isNoteId,
  makeEdge,
  noteCanvasId,
  notesToCanvas,
  uniqueNodeId,
  uniqueNoteId,
  noteDocId,
  DEFAULT_NOTE_SIZE,
  type FlowMeta,
  type NoteNode,
  type SalveEdge,
  type SalveNode,
} from './model.js';
import { slugFromName } from '../flows/slug.js';
import { boxOf, clearOffset } from './placement.js';
import { checkConnection } from './rules.js';

/**
 * The flow being edited: React Flow nodes and edges plus the document fields, and an undo
 * history of whole snapshots. Every edit goes through an action here, so undo/redo covers
 * every edit, and the saved document is always `canvasToFlow(meta, nodes, edges)`.
 */

interface Snapshot {
  meta: FlowMeta;
  nodes: SalveNode[];
  edges: SalveEdge[];
  notes: NoteNode[];
}

const HISTORY_LIMIT = 200;
/** Edits of the same field within this window are one undo step (typing a URL is one edit). */
const COALESCE_MS = 1200;

export interface EditorState {
  meta: FlowMeta;
  nodes: SalveNode[];
  edges: SalveEdge[];
  /** Sticky notes: drawn by React Flow beside the nodes, but never nodes of the graph. */
  notes: NoteNode[];
  /** The canvas id of the note whose text is being edited (view state, not in undo). */
  editingNote: string | null;
  /** The revision being edited; null for a flow not saved yet. */
  revision: number | null;
  /** canonicalJson of the document as last loaded or saved: the reference for "unsaved changes". */
  savedJson: string;
  past: Snapshot[];
  future: Snapshot[];
  lastEdit: { key: string; at: number } | null;
  /** True between the first and last change of a drag or a note's resize (one undo step each). */
  dragging: boolean;

  load(flow: Flow, revision: number | null): void;
  markSaved(flow: Flow, revision: number): void;
  /** Changes to what React Flow draws: nodes and notes alike. */
  onNodesChange(changes: NodeChange<SalveNode | NoteNode>[]): void;
  onEdgesChange(changes: EdgeChange<SalveEdge>[]): void;
  connect(connection: Connection): void;
  /** Adds an empty note at `position`, selected and open for typing; returns its canvas id. */
  addNote(position: { x: number; y: number }): string;
  updateNoteText(canvasId: string, text: string): void;
  setNoteColor(canvasId: string, color: NonNullable<NoteNode['data']['color']>): void;
  /** Opens (a canvas id) or closes (null) a note's text for editing. */
  editNote(canvasId: string | null): void;
  addNode(type: string, position: { x: number; y: number }): string;
  updateConfig(nodeId: string, config: Record<string, unknown>, field: string): void;
  updateLabel(nodeId: string, label: string): void;
  /** Sets or clears a node's retry policy (undefined: no retries) and its `retryUnsafe`. */
  updateRetry(nodeId: string, retry: RetryPolicy | undefined, retryUnsafe: boolean | undefined): void;
  /** Sets or clears (undefined: the type's default) a node's `onResolved`. */
  updateOnResolved(nodeId: string, policy: OnResolved | undefined): void;
  /** Renames a node and rewires its edges; returns an error message when the id is taken or invalid. */
  renameNode(nodeId: string, newId: string): string | null;
  setMeta(patch: Partial<FlowMeta>, field: string): void;
  deleteSelection(): void;
  selectNodes(ids: readonly string[]): void;
  selectAll(): void;
  /** Adds nodes and edges from another flow or a copied fragment; ids that clash get new ones. */
  paste(fragment: Pick<Flow, 'nodes' | 'edges' | 'notes'>, offset: { x: number; y: number }): string[];
  autoLayout(): void;
  undo(): void;
  redo(): void;
}

const snapshot = (s: EditorState): Snapshot => ({ meta: s.meta, nodes: s.nodes, edges: s.edges, notes: s.notes });

/** Selection and drag flags are view state: an undo should not bring back an old selection. */
const clean = <N extends SalveNode | NoteNode>(nodes: N[]): N[] =>
  nodes.map((n) => (n.selected || n.dragging ? { ...n, selected: false, dragging: false } : n));

const unselect = <N extends { selected?: boolean }>(items: N[]): N[] => items.map((n) => (n.selected ? { ...n, selected: false } : n));

/** The document as it would be saved now. */
export function currentFlow(s: Pick<EditorState, 'meta' | 'nodes' | 'edges' | 'notes'>): Flow {
  return canvasToFlow(s.meta, s.nodes, s.edges, s.notes);
}

// Parsed configs by config object: a drag changes positions only, so this stays cheap.
const withDefaults = new WeakMap<object, unknown>();

/** A node's config as its type's schema reads it (defaults filled), or as written when it does not parse. */
function effectiveConfig(type: string, config: Record<string, unknown>): unknown {
  const cached = withDefaults.get(config);
  if (cached !== undefined) return cached;
  const parsed = getNodeDefinition(type)?.configSchema.safeParse(config);
  const value = parsed?.success ? parsed.data : config;
  withDefaults.set(config, value);
  return value;
}

/**
 * The flow's meaning as JSON: configs with their defaults filled in. The server stores configs
 * that way, so comparing this (not the raw text) is what tells whether there are unsaved changes.
 */
export function canonicalJson(flow: Flow): string {
  return JSON.stringify({ ...flow, nodes: flow.nodes.map((n) => ({ ...n, config: effectiveConfig(n.type, n.config) })) });
}

/** Whether what is on the canvas differs from what was last loaded or saved. */
export function isDirty(s: Pick<EditorState, 'meta' | 'nodes' | 'edges' | 'notes' | 'savedJson'>): boolean {
  return canonicalJson(currentFlow(s)) !== s.savedJson;
}

function metaOf(flow: Flow): FlowMeta {
  const meta: FlowMeta = { id: flow.id, name: flow.name, enabled: flow.enabled };
  if (flow.description) meta.description = flow.description;
  if (flow.settings) meta.settings = flow.settings;
  if (flow.limits) meta.limits = flow.limits;
  return meta;
}

export const useEditor = create<EditorState>()((set, get) => {
  /** Saves the current state for undo, unless this edit continues the previous one. */
  const record = (key?: string) => {
    const s = get();
    const now = Date.now();
    if (key && s.lastEdit?.key === key && now - s.lastEdit.at < COALESCE_MS) {
      set({ lastEdit: { key, at: now }, future: [] });
      return;
    }
    set({
      past: [...s.past.slice(-(HISTORY_LIMIT - 1)), snapshot(s)],
      future: [],
      lastEdit: key ? { key, at: now } : null,
    });
  };

  return {
    meta: { id: 'new-flow', name: 'New flow', enabled: false },
    nodes: [],
    edges: [],
    notes: [],
    editingNote: null,
    revision: null,
    savedJson: '',
    past: [],
    future: [],
    lastEdit: null,
    dragging: false,

    load(flow, revision) {
      const { nodes, edges } = flowToCanvas(flow);
      if (flow.nodes.some((n) => !n.position)) {
        const positions = layoutNodes(nodes, edges);
        for (const n of nodes) n.position = positions.get(n.id) ?? n.position;
      }
      const meta = metaOf(flow);
      const notes = notesToCanvas(flow.notes);
      set({
        meta,
        nodes,
        edges,
        notes,
        editingNote: null,
        revision,
        savedJson: revision === null ? '' : canonicalJson(canvasToFlow(meta, nodes, edges, notes)),
        past: [],
        future: [],
        lastEdit: null,
        dragging: false,
      });
    },

    markSaved(flow, revision) {
      // Through the same conversion as the canvas, so key order cannot make a saved flow look dirty.
      const saved = flowToCanvas(flow);
      const meta = metaOf(flow);
      set({ revision, savedJson: canonicalJson(canvasToFlow(meta, saved.nodes, saved.edges, notesToCanvas(flow.notes))), meta });
    },

    onNodesChange(changes) {
      const s = get();
      const kept = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
      // A drag moves positions; a note's resizer sends sizes marked `resizing` (measurements are not).
      const gesture = kept.filter((c) => c.type === 'position' || (c.type === 'dimensions' && c.resizing !== undefined));
      if (gesture.length > 0) {
        const moving = gesture.some((c) => (c.type === 'position' && c.dragging) || (c.type === 'dimensions' && c.resizing));
        if (moving && !s.dragging) {
          record();
          set({ dragging: true });
        } else if (!moving && s.dragging) {
          set({ dragging: false });
        }
      }
      // React Flow sees nodes and notes as one list; each change goes back to its own list.
      const forNodes = kept.filter((c) => !('id' in c) || !isNoteId(c.id)) as NodeChange<SalveNode>[];
      const forNotes = kept.filter((c) => 'id' in c && isNoteId(c.id)) as NodeChange<NoteNode>[];
      if (forNodes.length > 0) set({ nodes: applyNodeChanges(forNodes, get().nodes) });
      if (forNotes.length > 0) set({ notes: applyNodeChanges(forNotes, get().notes) });
    },

    onEdgesChange(changes) {
      const kept = changes.filter((c) => c.type === 'select');
      if (kept.length > 0) set({ edges: applyEdgeChanges(kept, get().edges) });
    },

    connect(connection) {
      const s = get();
      if (!checkConnection(connection, s.nodes, s.edges).ok) return;
      const source = s.nodes.find((n) => n.id === connection.source)!;
      record();
      const edge = makeEdge(source.id, source.data.type, connection.sourceHandle ?? undefined, connection.target);
      set({ edges: [...get().edges, edge] });
    },

    addNode(type, position) {
      const s = get();
      const base = getNodeDefinition(type)?.defaultId ?? type.split('.').pop() ?? 'node';
      const id = uniqueNodeId(base, new Set(s.nodes.map((n) => n.id)));
      // Never on top of another node: the nearest free spot to where it was dropped.
      const { dx, dy } = clearOffset([boxOf({ position })], [...s.nodes, ...s.notes].map(boxOf));
      record();
      const node: SalveNode = { id, type: 'salve', position: { x: position.x + dx, y: position.y + dy }, data: { type, config: {} }, selected: true };
      set({ nodes: [...unselect(s.nodes), node], edges: unselect(s.edges), notes: unselect(s.notes) });
      return id;
    },

    addNote(position) {
      const s = get();
      const id = noteCanvasId(uniqueNoteId(new Set(s.notes.map((n) => noteDocId(n.id)))));
      record();
      const note: NoteNode = { id, type: 'note', position, data: { text: '' }, ...DEFAULT_NOTE_SIZE, selected: true };
      set({ nodes: unselect(s.nodes), edges: unselect(s.edges), notes: [...unselect(s.notes), note], editingNote: id });
      return id;
    },

    updateNoteText(canvasId, text) {
      record(`note:${canvasId}`);
      set({ notes: get().notes.map((n) => (n.id === canvasId ? { ...n, data: { ...n.data, text } } : n)) });
    },

    setNoteColor(canvasId, color) {
      record();
      // Yellow is the default: written as no colour, so a note set back to yellow reads as before.
      set({
        notes: get().notes.map((n) => {
          if (n.id !== canvasId) return n;
          const { color: _old, ...data } = n.data;
          return { ...n, data: color === 'yellow' ? data : { ...data, color } };
        }),
      });
    },

    editNote(canvasId) {
      set({ editingNote: canvasId });
    },

    updateConfig(nodeId, config, field) {
      record(`config:${nodeId}:${field}`);
      set({ nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config } } : n)) });
    },

    updateLabel(nodeId, label) {
      record(`label:${nodeId}`);
      set({
        nodes: get().nodes.map((n) => {
          if (n.id !== nodeId) return n;
          const data = { ...n.data };
          if (label) data.label = label;
          else delete data.label;
          return { ...n, data };
        }),
      });
    },

    updateRetry(nodeId, retry, retryUnsafe) {
      record(`retry:${nodeId}`);
      set({
        nodes: get().nodes.map((n) => {
          if (n.id !== nodeId) return n;
          const data = { ...n.data };
          if (retry) data.retry = retry;
          else delete data.retry;
          if (retryUnsafe) data.retryUnsafe = true;
          else delete data.retryUnsafe;
          return { ...n, data };
        }),
      });
    },

    updateOnResolved(nodeId, policy) {
      record(`onResolved:${nodeId}`);
      set({
        nodes: get().nodes.map((n) => {
          if (n.id !== nodeId) return n;
          const data = { ...n.data };
          if (policy) data.onResolved = policy;
          else delete data.onResolved;
          return { ...n, data };
        }),
      });
    },

    renameNode(nodeId, newId) {
      const s = get();
      if (newId === nodeId) return null;
      if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(newId)) return 'must start with a letter and use only letters, digits and "_" (max 64)';
      if (s.nodes.some((n) => n.id === newId)) return `"${newId}" is already used by another node`;
      record();
      const typeOf = new Map(s.nodes.map((n) => [n.id, n.data.type]));
      set({
        nodes: s.nodes.map((n) => (n.id === nodeId ? { ...n, id: newId } : n)),
        edges: s.edges.map((e) => {
          if (e.source !== nodeId && e.target !== nodeId) return e;
          const source = e.source === nodeId ? newId : e.source;
          const target = e.target === nodeId ? newId : e.target;
          return { ...makeEdge(source, typeOf.get(e.source) ?? '', e.sourceHandle ?? undefined, target), selected: e.selected ?? false };
        }),
      });
      return null;
    },

    setMeta(patch, field) {
      const s = get();
      record(`meta:${field}`);
      const meta = { ...s.meta, ...patch };
      // A flow not saved yet takes its id from its name, for as long as the id is still the one
      // its old name gave (the operator has not typed an id of their own).
      if (s.revision === null && patch.name !== undefined && patch.id === undefined && s.meta.id === slugFromName(s.meta.name)) {
        meta.id = slugFromName(patch.name);
      }
      set({ meta });
    },

    deleteSelection() {
      const s = get();
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const edgesLeft = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      const notesLeft = s.notes.filter((n) => !n.selected);
      if (gone.size === 0 && edgesLeft.length === s.edges.length && notesLeft.length === s.notes.length) return;
      record();
      set({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges: edgesLeft, notes: notesLeft, editingNote: null });
    },

    selectNodes(ids) {
      const wanted = new Set(ids);
      set({
        nodes: get().nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
        edges: unselect(get().edges),
        notes: unselect(get().notes),
      });
    },

    selectAll() {
      const all = <N extends { selected?: boolean }>(items: N[]) => items.map((n) => (n.selected ? n : { ...n, selected: true }));
      set({ nodes: all(get().nodes), notes: all(get().notes) });
    },

    paste(fragment, offset) {
      const s = get();
      const taken = new Set(s.nodes.map((n) => n.id));
      const rename = new Map<string, string>();
      for (const n of fragment.nodes) {
        const id = uniqueNodeId(n.id, taken);
        taken.add(id);
        rename.set(n.id, id);
      }
      const pasted = flowToCanvas({
        nodes: fragment.nodes.map((n) => ({
          ...n,
          id: rename.get(n.id)!,
          position: { x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y },
        })),
        // Only edges between pasted nodes: a fragment does not reach into this flow.
        edges: (fragment.edges ?? [])
          .filter((e) => rename.has(e.source) && rename.has(e.target))
          .map((e) => ({ ...e, source: rename.get(e.source)!, target: rename.get(e.target)! })),
      });
      const takenNotes = new Set(s.notes.map((n) => noteDocId(n.id)));
      const pastedNotes = notesToCanvas(
        (fragment.notes ?? []).map((n) => {
          const id = takenNotes.has(n.id) ? uniqueNoteId(takenNotes) : n.id;
          takenNotes.add(id);
          return { ...n, id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
        }),
      );
      if (pasted.nodes.length === 0 && pastedNotes.length === 0) return [];
      // What was pasted moves together to the nearest spot where none of it covers a node or note.
      const { dx, dy } = clearOffset([...pasted.nodes, ...pastedNotes].map(boxOf), [...s.nodes, ...s.notes].map(boxOf));
      for (const n of [...pasted.nodes, ...pastedNotes]) n.position = { x: n.position.x + dx, y: n.position.y + dy };
      record();
      set({
        nodes: [...unselect(s.nodes), ...pasted.nodes.map((n) => ({ ...n, selected: true }))],
        edges: [...unselect(s.edges), ...pasted.edges],
        notes: [...unselect(s.notes), ...pastedNotes.map((n) => ({ ...n, selected: true }))],
      });
      return [...pasted.nodes.map((n) => n.id), ...pastedNotes.map((n) => n.id)];
    },

    autoLayout() {
      const s = get();
      if (s.nodes.length === 0) return;
      record();
      const positions = layoutNodes(s.nodes, s.edges);
      set({ nodes: s.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
    },

    undo() {
      const s = get();
      const previous = s.past.at(-1);
      if (!previous) return;
      set({
        ...previous,
        nodes: clean(previous.nodes),
        notes: clean(previous.notes),
        editingNote: null,
        past: s.past.slice(0, -1),
        future: [snapshot(s), ...s.future],
        lastEdit: null,
      });
    },

    redo() {
      const s = get();
      const next = s.future[0];
      if (!next) return;
      set({
        ...next,
        nodes: clean(next.nodes),
        notes: clean(next.notes),
        editingNote: null,
        past: [...s.past, snapshot(s)],
        future: s.future.slice(1),
        lastEdit: null,
      });
    },
  };
});
