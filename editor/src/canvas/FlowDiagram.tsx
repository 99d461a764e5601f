import { useMemo } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import type { Flow } from '../../../shared/flow/schema.js';
import { layoutNodes } from './layout.js';
import { flowToCanvas, isNoteId, notesToCanvas } from './model.js';
import { CanvasOverlayContext, EMPTY_OVERLAY, type CanvasOverlay } from './overlay.js';
import { DIAGRAM_NODE_TYPES } from './SalveNodeView.js';

export interface FlowDiagramProps {
  flow: Pick<Flow, 'nodes' | 'edges' | 'notes'>;
  /** Step statuses or a simulation's marks, drawn on the nodes. */
  overlay?: CanvasOverlay;
  /** Edge ids (see `edgeId` in model.ts) to draw as taken; the others are dimmed. */
  highlightedEdges?: ReadonlySet<string>;
  selectedNodeId?: string;
  onNodeClick?: (nodeId: string) => void;
}

/**
 * A read-only picture of a flow (a past run, an approval's context): same nodes and sticky notes
 * as the editor, nothing can be moved or connected. Nodes without positions are laid out
 * automatically (their notes are then left out: they were placed beside nodes that moved).
 */
export function FlowDiagram(props: FlowDiagramProps) {
  return (
    <ReactFlowProvider>
      <Diagram {...props} />
    </ReactFlowProvider>
  );
}

function Diagram({ flow, overlay, highlightedEdges, selectedNodeId, onNodeClick }: FlowDiagramProps) {
  const { nodes, edges } = useMemo(() => {
    const canvas = flowToCanvas(flow);
    const laidOut = flow.nodes.some((n) => !n.position);
    if (laidOut) {
      const positions = layoutNodes(canvas.nodes, canvas.edges);
      for (const n of canvas.nodes) n.position = positions.get(n.id) ?? n.position;
    }
    for (const n of canvas.nodes) n.selected = n.id === selectedNodeId;
    if (highlightedEdges) {
      for (const e of canvas.edges) {
        e.className = highlightedEdges.has(e.id) ? 'taken' : 'dimmed';
        e.animated = highlightedEdges.has(e.id);
      }
    }
    const notes = laidOut ? [] : notesToCanvas(flow.notes).map((n) => ({ ...n, selectable: false, zIndex: -1 }));
    return { nodes: [...notes, ...canvas.nodes], edges: canvas.edges };
  }, [flow, highlightedEdges, selectedNodeId]);

  return (
    <CanvasOverlayContext.Provider value={overlay ?? EMPTY_OVERLAY}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={DIAGRAM_NODE_TYPES}
        colorMode="system"
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={Boolean(onNodeClick)}
        edgesFocusable={false}
        deleteKeyCode={null}
        // A note is not a step: clicking it selects nothing.
        onNodeClick={(_, node) => !isNoteId(node.id) && onNodeClick?.(node.id)}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.2}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </CanvasOverlayContext.Provider>
  );
}

