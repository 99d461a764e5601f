import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  SelectionMode,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type OnConnectStart,
} from '@xyflow/react';
import { Cable, Map as MapIcon, Search, StickyNote } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { PALETTE_MIME } from '../panels/Palette.js';
import { useStoredChoice } from '../ui/stored-choice.js';
import { CanvasOverlayContext, type CanvasOverlay } from './overlay.js';
import { checkConnection } from './rules.js';
import { NODE_TYPES } from './SalveNodeView.js';
import { useEditor } from './store.js';
import { DEFAULT_NODE_SIZE, DEFAULT_NOTE_SIZE, type NoteNode, type SalveEdge, type SalveNode } from './model.js';
import { clearOffset } from './placement.js';
import { readableViewport } from './readable-fit.js';

/** The minimap: small enough to stay in its corner, clear of the flow that fit puts in the middle. */
const MINIMAP = { width: 150, height: 96, margin: 15 };

/**
 * From this many nodes and notes, the canvas draws only those in view (and the edges that cross
 * it). Drawn off screen, every node of a 300-node flow was repainted on each frame of a drag; a
 * smaller flow keeps them all, so Tab reaches every node (docs/performance.md, "Editor canvas").
 */
const DRAW_VISIBLE_ONLY_FROM = 100;

// Props of <ReactFlow> that are objects, made once: React Flow copies every prop that changes
// identity into its store, and each copy re-runs every store subscriber (300 minimap nodes in a
// big flow), on every frame of a drag, since a move re-renders this component.
const MULTI_SELECTION_KEYS = ['Shift', 'Meta', 'Control'];
const PAN_BUTTONS = [1, 2];
const DEFAULT_EDGE_OPTIONS = { type: 'default' };

export interface FlowCanvasHandle {
  /** Adds a node of `type` in the middle of what is visible. */
  addAtCentre(type: string): void;
  /** Adds a sticky note in the middle of what is visible, beside what is already there. */
  addNoteAtCentre(): void;
  /** Where pasted nodes go: the middle of the view, in flow coordinates. */
  viewCentre(): { x: number; y: number };
  /** Shows the flow at a readable zoom: all of it when it fits so, else from its sources (see readable-fit.ts). */
  fitView(): void;
  focus(): void;
  /** Brings node `id` to the middle of the view, at a readable zoom. */
  centerOn(id: string): void;
}

interface FlowCanvasProps {
  overlay: CanvasOverlay;
  /** Edge ids a test run took; when set, the others are dimmed. */
  highlightedEdges?: ReadonlySet<string> | null;
  /** Edge id → class (e.g. a replay's saved and draft paths); when set, it replaces `highlightedEdges` and the others are dimmed. */
  edgeClasses?: ReadonlyMap<string, string> | null;
  /** Opens the "Connect to…" picker for the selected node (the C key's button). */
  onConnectFrom: () => void;
  /** Node ids the flow search matched: they are marked on the canvas. */
  searchMatches?: ReadonlySet<string> | null;
  /** Opens the flow search (a button among the canvas controls). */
  onSearch?: () => void;
  /** A read-only flow: nodes are selected and inspected, never moved, connected or dropped. */
  readOnly?: boolean;
}

/**
 * The editable canvas. Deletion, copy/paste and undo are handled by the page's keyboard
 * shortcuts (so they go through the store's history); React Flow only moves, selects and connects.
 */
export const FlowCanvas = forwardRef<FlowCanvasHandle, FlowCanvasProps>(function FlowCanvas({ overlay, highlightedEdges, edgeClasses, onConnectFrom, searchMatches, onSearch, readOnly = false }, ref) {
  const { nodes, notes, edges, onNodesChange, onEdgesChange, connect, addNode } = useEditor(
    useShallow((s) => ({
      nodes: s.nodes,
      notes: s.notes,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      connect: s.connect,
      addNode: s.addNode,
    })),
  );
  const flow = useReactFlow();
  const oneSelected = useEditor((s) => s.nodes.filter((n) => n.selected).length === 1);
  const wrapper = useRef<HTMLDivElement>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [minimap, setMinimap] = useStoredChoice('salve.editor.minimap', ['shown', 'hidden'] as const, 'shown');

  const fitReadable = useCallback(
    (duration: number) => {
      const rect = wrapper.current?.getBoundingClientRect();
      const nodes = flow.getNodes();
      if (!rect || nodes.length === 0) return;
      const sources = nodes.filter((n) => getNodeDefinition(n.data.type as string)?.category === 'source');
      // The flow stays above the minimap's corner, so the minimap never covers a node after a fit.
      const area = { width: rect.width, height: rect.height - (minimap === 'shown' ? MINIMAP.height + MINIMAP.margin : 0) };
      const view = readableViewport(flow.getNodesBounds(nodes), sources.length > 0 ? flow.getNodesBounds(sources) : null, area);
      void flow.setViewport(view, { duration });
    },
    [flow, minimap],
  );

  // Fit a loaded flow once its nodes have their sizes; an empty canvas keeps its zoom, or the
  // first drop would re-zoom the view.
  const [fitOnLoad] = useState(() => useEditor.getState().nodes.length + useEditor.getState().notes.length > 0);
  const measured = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!fitOnLoad || !measured || fitted.current) return;
    fitted.current = true;
    fitReadable(0);
  }, [fitOnLoad, measured, fitReadable]);

  const viewCentre = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    const p = flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    return { x: Math.round(p.x - DEFAULT_NODE_SIZE.width / 2), y: Math.round(p.y - DEFAULT_NODE_SIZE.height / 2) };
  }, [flow]);

  /** A new note in the middle of the view, moved off what is already there. */
  const addNoteAtCentre = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    const c = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
    const want = { x: Math.round(c.x - DEFAULT_NOTE_SIZE.width / 2), y: Math.round(c.y - DEFAULT_NOTE_SIZE.height / 2) };
    const taken = flow.getNodes().map((n) => ({
      ...n.position,
      width: n.measured?.width ?? n.width ?? DEFAULT_NODE_SIZE.width,
      height: n.measured?.height ?? n.height ?? DEFAULT_NODE_SIZE.height,
    }));
    const { dx, dy } = clearOffset([{ ...want, ...DEFAULT_NOTE_SIZE }], taken);
    useEditor.getState().addNote({ x: want.x + dx, y: want.y + dy });
  }, [flow]);

  useImperativeHandle(
    ref,
    () => ({
      addAtCentre(type) {
        // The store moves it off any node already there.
        addNode(type, viewCentre());
      },
      addNoteAtCentre,
      viewCentre,
      fitView: () => fitReadable(200),
      focus: () => wrapper.current?.focus(),
      centerOn(id) {
        const node = flow.getNode(id);
        if (!node) return;
        const width = node.measured?.width ?? DEFAULT_NODE_SIZE.width;
        const height = node.measured?.height ?? DEFAULT_NODE_SIZE.height;
        void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 200 });
      },
    }),
    [addNode, addNoteAtCentre, fitReadable, viewCentre, flow],
  );

  // Checked on every hover while a wire is dragged: the same rules the server checks on save.
  const isValidConnection: IsValidConnection = useCallback((c: Connection | Edge) => {
    const s = useEditor.getState();
    const result = checkConnection({ source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null }, s.nodes, s.edges);
    setHint(result.ok ? null : result.reason);
    return result.ok;
  }, []);

  // A source node has no input handle, so React Flow never asks isValidConnection about it: while
  // a wire is dragged, the node under the pointer is checked here, and its refusal shown the same way.
  const wireFrom = useRef<{ source: string; sourceHandle: string | null } | null>(null);
  const onConnectStart: OnConnectStart = useCallback((_, { nodeId, handleId, handleType }) => {
    wireFrom.current = nodeId && handleType === 'source' ? { source: nodeId, sourceHandle: handleId } : null;
  }, []);
  const onConnectEnd = useCallback(() => {
    wireFrom.current = null;
    setHint(null);
  }, []);
  const onPointerMove = (e: React.PointerEvent) => {
    const from = wireFrom.current;
    if (!from) return;
    const under = document.elementFromPoint(e.clientX, e.clientY)?.closest<HTMLElement>('.react-flow__node');
    const target = under?.dataset.id;
    if (!target || target === from.source) return;
    const s = useEditor.getState();
    const result = checkConnection({ ...from, target }, s.nodes, s.edges);
    if (!result.ok) setHint(result.reason);
  };

  const onDrop = (e: React.DragEvent) => {
    const type = e.dataTransfer.getData(PALETTE_MIME);
    if (!type || readOnly) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addNode(type, { x: Math.round(p.x - DEFAULT_NODE_SIZE.width / 2), y: Math.round(p.y - 20) });
    wrapper.current?.focus();
  };

  // Search matches are outlined. React Flow draws nodes and notes as one list; the store keeps
  // them apart (notes are not in the graph).
  const drawn = useMemo(
    () => [...(searchMatches ? nodes.map((n) => (searchMatches.has(n.id) ? { ...n, className: 'search-match' } : n)) : nodes), ...notes],
    [nodes, notes, searchMatches],
  );

  const styledEdges = edgeClasses
    ? edges.map((e) => ({ ...e, className: edgeClasses.get(e.id) ?? 'dimmed', animated: false }))
    : highlightedEdges
    ? edges.map((e) => ({ ...e, className: highlightedEdges.has(e.id) ? 'taken' : 'dimmed', animated: highlightedEdges.has(e.id) }))
    : edges;

  // The wrapper takes focus for the canvas's keyboard shortcuts and receives drops from the palette;
  // the nodes and edges inside are the library's own controls.
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: drops from the palette land on the canvas area itself
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: names the canvas for screen readers when it has focus
    <div
      ref={wrapper}
      className="canvas-wrap"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so that the canvas's keyboard shortcuts reach it
      tabIndex={0}
      aria-label="Flow canvas"
      data-testid="canvas"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(PALETTE_MIME)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={onDrop}
      onPointerMove={onPointerMove}
    >
      {nodes.length === 0 && notes.length === 0 && (
        <div className="canvas-empty">
          <div>
            <strong>Start with an alert source.</strong>
            <br />
            Drag “Alertmanager” from the palette onto the canvas, then add a condition and an action, and connect their ports.
          </div>
        </div>
      )}
      {hint && (
        <div className="banner warning connect-hint" role="status">
          Can’t connect: {hint}
        </div>
      )}
      <CanvasOverlayContext.Provider value={overlay}>
        <ReactFlow<SalveNode | NoteNode, SalveEdge>
          nodes={drawn}
          edges={styledEdges}
          nodeTypes={NODE_TYPES}
          colorMode="system"
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={connect}
          onConnectStart={onConnectStart}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          deleteKeyCode={null}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={!readOnly}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECTION_KEYS}
          selectionOnDrag
          selectionMode={SelectionMode.Partial}
          panOnDrag={PAN_BUTTONS}
          panOnScroll
          zoomOnPinch
          minZoom={0.1}
          maxZoom={2}
          defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
          onlyRenderVisibleElements={drawn.length >= DRAW_VISIBLE_ONLY_FROM}
        >
          <Background gap={20} size={1} />
          {minimap === 'shown' && <MiniMap pannable zoomable ariaLabel="Minimap" style={{ width: MINIMAP.width, height: MINIMAP.height }} />}
          {/* Fit is the toolbar's button, at a readable zoom; zoom out here to see the whole shape. */}
          <Controls showInteractive={false} showFitView={false}>
            {onSearch && (
              <ControlButton onClick={onSearch} aria-label="Find a node" title="Find a node in this flow (Ctrl/Cmd+F)" data-testid="search-open">
                <Search size={14} aria-hidden="true" />
              </ControlButton>
            )}
            <ControlButton
              onClick={() => setMinimap(minimap === 'shown' ? 'hidden' : 'shown')}
              aria-label={minimap === 'shown' ? 'Hide the minimap' : 'Show the minimap'}
              title={minimap === 'shown' ? 'Hide the minimap' : 'Show the minimap'}
              aria-pressed={minimap === 'shown'}
              data-testid="minimap-toggle"
            >
              <MapIcon size={14} aria-hidden="true" />
            </ControlButton>
            <ControlButton onClick={addNoteAtCentre} aria-label="Add a note" title="Add a sticky note in the middle of the view (N)" data-testid="add-note">
              <StickyNote size={14} aria-hidden="true" />
            </ControlButton>
            <ControlButton
              onClick={onConnectFrom}
              disabled={!oneSelected}
              aria-label="Connect the selected node"
              title={oneSelected ? 'Connect the selected node to another, by keyboard (C)' : 'Select one node, then connect it to another by keyboard (C)'}
              data-testid="connect-open"
            >
              <Cable size={14} aria-hidden="true" />
            </ControlButton>
          </Controls>
        </ReactFlow>
      </CanvasOverlayContext.Provider>
    </div>
  );
});
