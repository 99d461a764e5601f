import { celTypeOf, type CelDecl } from '../expr/declared-types.js';
import type { ExprScope } from '../expr/types.js';
import { ancestorsOf } from './graph.js';
import { loopBodies, loopOf, type LoopBody } from './loops.js';
import type { NodeSpec, NodeSpecLookup } from './node-spec.js';

/** What the scope needs of a flow: node ids and types, and the edges (read even where the document is wrong elsewhere). */
export interface ScopeGraph {
  /** `config` as written: what tells the names a node sets as `vars` (NodeSpec.setsVars). */
  nodes: readonly { id: string; type: string; config?: unknown }[];
  /** `sourcePort` as written: what tells a loop's body (loops.ts). */
  edges: readonly { source: string; target: string; sourcePort?: string | undefined }[];
}

// A node type's output type, worked out once per schema (validation runs on every edit).
const outputTypes = new WeakMap<object, CelDecl>();

/** The CEL type of what a step of this type records; dyn for a type this version does not know. */
export function outputTypeOf(spec: NodeSpec | undefined): CelDecl {
  if (!spec) return 'dyn';
  let type = outputTypes.get(spec.outputSchema);
  if (type === undefined) {
    type = celTypeOf(spec.outputSchema);
    outputTypes.set(spec.outputSchema, type);
  }
  return type;
}

// The loops of a graph, worked out once per graph object (the validator asks for every node's scope with the same one).
const loopsOf = new WeakMap<ScopeGraph, LoopBody[]>();

/**
 * What the expressions of node `nodeId` can read as `steps`: the nodes from which an edge path
 * leads to it (only those can have run before it), each typed by its node type's output schema.
 * The flow validator, the editor's fields and its "Available variables" all take it from here.
 */
export function expressionScope(flow: ScopeGraph, nodeId: string, lookup: NodeSpecLookup): ExprScope {
  const before = ancestorsOf(nodeId, flow.edges);
  const steps = new Map<string, CelDecl>();
  // Document order: the order the operator sees the nodes in.
  for (const node of flow.nodes) {
    if (before.has(node.id) && !steps.has(node.id)) steps.set(node.id, outputTypeOf(lookup(node.type)));
  }
  const vars = new Set<string>();
  for (const node of flow.nodes) {
    if (!before.has(node.id)) continue;
    const sets = lookup(node.type)?.setsVars?.(node.config);
    for (const name of sets ?? []) vars.add(name);
  }
  let bodies = loopsOf.get(flow);
  if (!bodies) {
    bodies = loopBodies(flow, lookup);
    loopsOf.set(flow, bodies);
  }
  const loop = loopOf(bodies, nodeId)?.loop;
  return { steps, nodeIds: new Set(flow.nodes.map((n) => n.id)), self: nodeId, vars, ...(loop === undefined ? {} : { loop }) };
}
