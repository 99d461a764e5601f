import dagre from '@dagrejs/dagre';
import { DEFAULT_NODE_SIZE, type SalveEdge, type SalveNode } from './model.js';

/**
 * Left-to-right layered layout (dagre), the way alerts flow: sources on the left, actions to the
 * right. dagre places node centres; React Flow positions are top-left corners.
 */
export function layoutNodes(nodes: readonly SalveNode[], edges: readonly SalveEdge[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (n: SalveNode) => ({
    width: n.measured?.width ?? DEFAULT_NODE_SIZE.width,
    height: n.measured?.height ?? DEFAULT_NODE_SIZE.height,
  });
  for (const n of nodes) g.setNode(n.id, size(n));
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const placed = g.node(n.id);
    const { width, height } = size(n);
    positions.set(n.id, { x: Math.round(placed.x - width / 2), y: Math.round(placed.y - height / 2) });
  }
  return positions;
}
