import { reachableFrom } from './graph.js';
import type { NodeSpecLookup } from './node-spec.js';

/**
 * Loops (a node type with a `loopPort`, e.g. `control.foreach`): the nodes reachable from its loop
 * port form its body and run once per item. The rules keep a body closed, so every step of an
 * item carries the item's scope and the loop knows when the item ended: nothing outside the body
 * leads into it but the loop port (continue after the loop from another port), and a body holds
 * no other loop (loops do not nest yet).
 */

interface LoopGraph {
  nodes: readonly { id: string; type: string }[];
  edges: readonly { source: string; target: string; sourcePort?: string | undefined }[];
}

/** A loop node and the nodes of its body. */
export interface LoopBody {
  loop: string;
  port: string;
  body: ReadonlySet<string>;
}

/** The loop port an edge leaves through, when it leaves a loop node through it (an omitted port is never the loop port: loops have several). */
const leavesThrough = (edge: LoopGraph['edges'][number], loopId: string, port: string) => edge.source === loopId && edge.sourcePort === port;

/** Every loop node of a graph with its body, in document order. */
export function loopBodies(graph: LoopGraph, lookup: NodeSpecLookup): LoopBody[] {
  const out: LoopBody[] = [];
  for (const node of graph.nodes) {
    const port = lookup(node.type)?.loopPort;
    if (!port) continue;
    const starts = graph.edges.filter((e) => leavesThrough(e, node.id, port)).map((e) => e.target);
    const body = reachableFrom(starts, graph.edges);
    // A cycle through the loop (reported elsewhere) would put it in its own body.
    body.delete(node.id);
    out.push({ loop: node.id, port, body });
  }
  return out;
}

/** The loop whose body holds `nodeId`, if any (the first, should a broken graph put it in several). */
export function loopOf(bodies: readonly LoopBody[], nodeId: string): LoopBody | undefined {
  return bodies.find((b) => b.body.has(nodeId));
}

/** A broken loop rule: the message, and the edge (index in `edges`) or node it is about. */
export interface LoopProblem {
  edge?: number;
  node?: string;
  message: string;
}

/** Every loop rule `graph` breaks. */
export function loopProblems(graph: LoopGraph, lookup: NodeSpecLookup): LoopProblem[] {
  const problems: LoopProblem[] = [];
  for (const { loop, port, body } of loopBodies(graph, lookup)) {
    graph.edges.forEach((edge, index) => {
      if (!body.has(edge.target) || body.has(edge.source) || leavesThrough(edge, loop, port)) return;
      const via = edge.sourcePort === undefined ? '' : ` (${edge.sourcePort})`;
      problems.push({
        edge: index,
        message: `edge "${edge.source}"${via} → "${edge.target}": "${edge.target}" runs once per item of loop "${loop}", so only "${loop}"'s "${port}" port and nodes of that branch may lead to it; continue after the loop from "${loop}"'s other ports`,
      });
    });
    for (const node of graph.nodes) {
      if (body.has(node.id) && lookup(node.type)?.loopPort) {
        problems.push({ node: node.id, message: `node "${node.id}" is a loop inside the "${port}" branch of loop "${loop}": loops cannot be nested` });
      }
    }
  }
  return problems;
}
