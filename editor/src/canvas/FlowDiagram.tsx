import { useMemo } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import type { Flow } from '../../../shared/flow/schema.js';
import { layoutNodes } from './layout.js';
import { flowToCanvas } from './model.js';
import { CanvasOverlayContext, EMPTY_OVERLAY, type CanvasOverlay } from './overlay.js';
import { NODE_TYPES } from './SalveNodeView.js';

export interface FlowDiagramProps {
  flow: Pick<Flow, 'nodes' | 'edges'>;
  /** Step statuses or a simulation's marks, drawn on the nodes. */
  overlay?: CanvasOverlay;
  /** Edge ids (see `edgeId` in model.ts) to draw as taken; the others are dimmed. */
  highlightedEdges?: ReadonlySet<string>;
  selectedNodeId?: string;
  onNodeClick?: (nodeId: string) => void;
}

/**
 * A read-only picture of a flow (a past run, an approval's context): same nodes as the editor,
 * nothing can be moved or connected. Nodes without positions are laid out automatically.
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
    if (flow.nodes.some((n) => !n.position)) {
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
    return canvas;
  }, [flow, highlightedEdges, selectedNodeId]);

  return (
    <CanvasOverlayContext.Provider value={overlay ?? EMPTY_OVERLAY}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        colorMode="system"
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={Boolean(onNodeClick)}
        edgesFocusable={false}
        deleteKeyCode={null}
        onNodeClick={(_, node) => onNodeClick?.(node.id)}
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

