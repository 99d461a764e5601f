import { pathBetween } from './graph.js';
import { loopProblems } from './loops.js';
import type { NodeSpec, NodeSpecLookup } from './node-spec.js';

/**
 * The connection rules: what an edge may join. `validate.ts` applies them to a whole document
 * when it is saved; the editor's canvas applies them to one wire while it is being dragged. Both
 * use these functions, so they refuse the same edges with the same words.
 */

/** One end of an edge: a node id and its type's spec (undefined for an unknown type). */
export interface EdgeEnd {
  id: string;
  spec: NodeSpec | undefined;
}

/** A broken rule and the edge field it concerns (none: the edge as a whole). */
export interface ConnectionProblem {
  field?: 'source' | 'target' | 'sourcePort';
  message: string;
}

/** An edge as the rules read it: two node ids and the port it leaves through, if it names one. */
export interface EdgeRef {
  source: string;
  target: string;
  sourcePort?: string | undefined;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

const portList = (spec: NodeSpec) => (spec.outputs.length > 0 ? spec.outputs.join(', ') : '(none)');

/** The message for a node whose type no node definition declares. */
export function unknownTypeMessage(type: string): string {
  return `unknown node type "${type}"`;
}

/** The message for an edge end that names no node of the flow. */
export function missingEndMessage(end: 'source' | 'target', id: string): string {
  return `edge ${end} "${id}" is not a node in this flow`;
}

/** The message for a cycle, its node ids in walking order with the first repeated at the end. */
export function cycleMessage(ring: readonly string[]): string {
  return `cycle: ${ring.map((id) => `"${id}"`).join(' → ')}; a flow must not loop back to an earlier node`;
}

/** The port an edge leaves `spec`'s node through: the one it names, else the node's only port. */
export function portOf(spec: NodeSpec | undefined, sourcePort: string | undefined): string | undefined {
  if (sourcePort !== undefined) return sourcePort;
  return spec?.outputs.length === 1 ? spec.outputs[0] : undefined;
}

/** What makes two edges the same edge: the same source, port and target. */
export function edgeKey(source: string, port: string | undefined, target: string): string {
  return JSON.stringify([source, port ?? null, target]);
}

/** The message for an edge that joins what another edge already joins. */
export function duplicateMessage(source: string, port: string | undefined, target: string): string {
  const via = port === undefined ? '' : ` port "${port}"`;
  return `duplicate edge: "${source}"${via} is already connected to "${target}"`;
}

/**
 * The rules one edge keeps by itself: it joins two different nodes, does not enter a source, and
 * leaves through a port its node's type has (an omitted port means the only one). Returns the
 * port it leaves through (undefined when that cannot be decided) and every rule it breaks; a
 * self-loop (`loop`) is reported alone, as nothing else about such an edge matters.
 */
export function checkEdgeEnds(
  from: EdgeEnd,
  to: EdgeEnd,
  sourcePort: string | undefined,
): { port: string | undefined; problems: ConnectionProblem[]; loop: boolean } {
  if (from.id === to.id) {
    return { port: sourcePort, loop: true, problems: [{ field: 'target', message: `edge from "${from.id}" leads back to itself` }] };
  }
  const problems: ConnectionProblem[] = [];
  if (to.spec?.category === 'source') {
    problems.push({
      field: 'target',
      message: `edge into "${to.id}": ${to.spec.type} is a source node; sources start a flow and take no incoming edges`,
    });
  }
  const port = portOf(from.spec, sourcePort);
  if (from.spec) {
    const { outputs, type } = from.spec;
    if (sourcePort === undefined && outputs.length === 0) {
      problems.push({ field: 'source', message: `"${from.id}" (${type}) has no output ports` });
    } else if (sourcePort === undefined && port === undefined) {
      problems.push({ field: 'sourcePort', message: `sourcePort is required: "${from.id}" has ports ${portList(from.spec)}` });
    } else if (port !== undefined && !outputs.includes(port)) {
      problems.push({
        field: 'sourcePort',
        message: `edge from "${from.id}" uses port "${port}", but ${type} has ports ${portList(from.spec)}`,
      });
    }
  }
  return { port, problems, loop: false };
}

/**
 * Whether `edge` may be added to a flow with these nodes and edges: both ends exist and have a
 * known type, the edge keeps the rules of `checkEdgeEnds`, no edge joins the same nodes through
 * the same port yet, it closes no cycle, and it keeps loop bodies closed. The reason is the message saving would give.
 */
export function checkNewEdge(
  edge: EdgeRef,
  nodes: readonly { id: string; type: string }[],
  edges: readonly EdgeRef[],
  lookup: NodeSpecLookup,
): ConnectionCheck {
  const types = new Map(nodes.map((n) => [n.id, n.type]));
  const end = (which: 'source' | 'target'): EdgeEnd | string => {
    const id = edge[which];
    const type = types.get(id);
    return type === undefined ? missingEndMessage(which, id) : { id, spec: lookup(type) };
  };
  const from = end('source');
  const to = end('target');
  if (typeof from === 'string') return { ok: false, reason: from };
  if (typeof to === 'string') return { ok: false, reason: to };
  // Which ports an unknown type has cannot be known; saving reports the type itself.
  if (!from.spec) return { ok: false, reason: unknownTypeMessage(types.get(from.id)!) };

  const ends = checkEdgeEnds(from, to, edge.sourcePort);
  if (ends.problems.length > 0) return { ok: false, reason: ends.problems[0]!.message };

  const key = edgeKey(edge.source, ends.port, edge.target);
  const specOf = (id: string) => {
    const type = types.get(id);
    return type === undefined ? undefined : lookup(type);
  };
  if (edges.some((e) => edgeKey(e.source, portOf(specOf(e.source), e.sourcePort), e.target) === key)) {
    return { ok: false, reason: duplicateMessage(edge.source, ends.port, edge.target) };
  }
  const back = pathBetween(edge.target, edge.source, edges);
  if (back) return { ok: false, reason: cycleMessage([edge.source, ...back]) };
  // A loop's body stays closed (loops.ts): refuse the wire that would open one, not one already open.
  const before = new Set(loopProblems({ nodes, edges }, lookup).map((p) => p.message));
  const opened = loopProblems({ nodes, edges: [...edges, edge] }, lookup).find((p) => !before.has(p.message));
  if (opened) return { ok: false, reason: opened.message };
  return { ok: true };
}
