/**
 * Graph algorithms over a flow's edges, kept apart from the document rules so they can be
 * tested on bare node ids. Iterative on purpose: a hostile document must not overflow the stack.
 */

/** A directed edge between two node ids, with its index in the flow's `edges` array. */
export interface GraphEdge {
  index: number;
  source: string;
  target: string;
}

/** A cycle: node ids in walking order, the first repeated at the end, and the edge closing it. */
export interface Cycle {
  nodes: string[];
  closingEdge: number;
}

function adjacency<E extends Pick<GraphEdge, 'source'>>(edges: readonly E[]): Map<string, E[]> {
  const out = new Map<string, E[]>();
  for (const edge of edges) {
    const list = out.get(edge.source);
    if (list) list.push(edge);
    else out.set(edge.source, [edge]);
  }
  return out;
}

/**
 * Finds cycles by depth-first search, starting from `nodeIds` in order and following edges in
 * order. Every edge that leads back onto the current path closes one cycle; the same ring of
 * nodes closed by parallel edges is reported once.
 */
export function findCycles(nodeIds: readonly string[], edges: readonly GraphEdge[]): Cycle[] {
  const out = adjacency(edges);
  const state = new Map<string, 'onPath' | 'done'>();
  const cycles: Cycle[] = [];
  const seenRings = new Set<string>();

  for (const start of nodeIds) {
    if (state.has(start)) continue;
    // Each frame is a node on the current path and how many of its edges were followed.
    const path: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'onPath');
    while (path.length > 0) {
      const frame = path[path.length - 1]!;
      const edge = out.get(frame.id)?.[frame.next++];
      if (!edge) {
        state.set(frame.id, 'done');
        path.pop();
        continue;
      }
      const seen = state.get(edge.target);
      if (seen === undefined) {
        state.set(edge.target, 'onPath');
        path.push({ id: edge.target, next: 0 });
      } else if (seen === 'onPath') {
        const from = path.findIndex((f) => f.id === edge.target);
        const ring = [...path.slice(from).map((f) => f.id), edge.target];
        const key = JSON.stringify(ring);
        if (!seenRings.has(key)) {
          seenRings.add(key);
          cycles.push({ nodes: ring, closingEdge: edge.index });
        }
      }
    }
  }
  return cycles;
}

/** Every node id reachable from `roots` by following edges, the roots included. */
export function reachableFrom(roots: readonly string[], edges: readonly Pick<GraphEdge, 'source' | 'target'>[]): Set<string> {
  const out = adjacency(edges);
  const reached = new Set<string>(roots);
  const queue = [...roots];
  for (let i = 0; i < queue.length; i++) {
    for (const edge of out.get(queue[i]!) ?? []) {
      if (reached.has(edge.target)) continue;
      reached.add(edge.target);
      queue.push(edge.target);
    }
  }
  return reached;
}

/** Every node id from which `nodeId` can be reached by following edges: the steps that can run before it. */
export function ancestorsOf(nodeId: string, edges: readonly Pick<GraphEdge, 'source' | 'target'>[]): Set<string> {
  const reversed = edges.map((edge) => ({ source: edge.target, target: edge.source }));
  const found = reachableFrom([nodeId], reversed);
  // In a cycle (reported elsewhere) a node is its own ancestor; it still cannot read itself.
  found.delete(nodeId);
  return found;
}

/**
 * A shortest walk along edges from `from` to `to`, both included (`[from]` when they are the
 * same node), or undefined when `to` cannot be reached.
 */
export function pathBetween(from: string, to: string, edges: readonly Pick<GraphEdge, 'source' | 'target'>[]): string[] | undefined {
  const out = adjacency(edges);
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = cameFrom.get(at)!) path.push(at);
      return path.reverse();
    }
    for (const { target } of out.get(id) ?? []) {
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, id);
      queue.push(target);
    }
  }
  return undefined;
}
