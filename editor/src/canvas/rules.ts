import { checkNewEdge, type ConnectionCheck } from '../../../shared/flow/connections.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';

/**
 * The canvas's side of the connection rules in shared/flow/connections.ts (the ones saving
 * checks): while a wire is being dragged, the canvas refuses what saving would reject, and says
 * why in the same words. This file only translates React Flow's nodes and edges.
 */

interface CanvasNode {
  id: string;
  data: { type: string };
}

/** A wire: React Flow names the output port `sourceHandle`. */
export interface Connection {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

/** Checks a new wire against the nodes and wires already on the canvas. */
export function checkConnection(c: Connection, nodes: readonly CanvasNode[], edges: readonly Connection[]): ConnectionCheck {
  return checkNewEdge(
    { source: c.source, target: c.target, sourcePort: c.sourceHandle ?? undefined },
    nodes.map((n) => ({ id: n.id, type: n.data.type })),
    edges.map((e) => ({ source: e.source, target: e.target, sourcePort: e.sourceHandle ?? undefined })),
    lookupNodeSpec,
  );
}
