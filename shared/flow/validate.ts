import type { z } from 'zod';
import { issuesFromZod, type Issue } from '../errors.js';
import { checkCel, checkPromqlTemplate, checkTemplate, checkUrlTemplate } from '../expr/index.js';
import type { ExprIssue, ExprScope, ExpressionRef } from '../expr/types.js';
import {
  checkEdgeEnds,
  cycleMessage,
  duplicateMessage,
  edgeKey,
  missingEndMessage,
  portOf,
  unknownTypeMessage,
} from './connections.js';
import { expressionScope, type ScopeGraph } from './expression-scope.js';
import { findCycles, reachableFrom, type GraphEdge } from './graph.js';
import { loopProblems } from './loops.js';
import type { NodeSpec, NodeSpecLookup } from './node-spec.js';
import { onResolvedDefault } from './on-resolved.js';
import { FlowSchema, type Flow, type FlowEdge, type FlowNode } from './schema.js';
import { truncate } from '../text.js';
import { isRecord } from '../guards.js';

export type FlowValidation = { ok: true; flow: Flow } | { ok: false; issues: Issue[] };

type Path = (string | number)[];

// Past these sizes the shape check has already failed; walking the graph would only add noise.
const MAX_NODES = 500;
const MAX_EDGES = 2000;

/** What can be read of one node even when the document's shape is wrong elsewhere. */
interface NodeView {
  index: number;
  id: string;
  spec: NodeSpec | undefined;
  /** The config as the node type's schema parsed it (defaults filled), when it parsed. */
  config?: Record<string, unknown>;
}

/** An edge whose `source` and `target` are at least strings. */
interface EdgeView extends GraphEdge {
  sourcePort: string | undefined;
}

/**
 * zod reports unknown keys once, at the object; operators need each key named at its own path
 * ("unknown field" rather than silently dropped).
 */
function zodIssues(issues: readonly z.core.$ZodIssue[], base: Path = []): Issue[] {
  const expanded = issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path, key], message: `unknown field "${key}"` }))
      : [i],
  );
  return issuesFromZod(expanded, base);
}

/**
 * The problems of one expression of a node, where it sits in the flow (`scope`): the one check,
 * run the same by the flow validator and by the editor's fields as they are typed.
 */
export function checkExpressionRef(ref: Pick<ExpressionRef, 'kind' | 'source' | 'returns' | 'locals'>, scope: ExprScope): ExprIssue[] {
  switch (ref.kind) {
    case 'cel':
      return checkCel(ref.source, { scope, returns: ref.returns, locals: ref.locals });
    case 'template':
      return checkTemplate(ref.source, scope);
    case 'url':
      return checkUrlTemplate(ref.source, scope);
    case 'promql':
      return checkPromqlTemplate(ref.source, scope);
  }
}

function checkExpression(nodeId: string, ref: ExpressionRef, scope: ExprScope, base: Path): Issue[] {
  const what = { cel: 'CEL expression', template: 'template', url: 'URL template', promql: 'PromQL template' }[ref.kind];
  return checkExpressionRef(ref, scope).map((e) => ({
    path: [...base, ...ref.path],
    message:
      `node "${nodeId}": ${what} ${JSON.stringify(truncate(ref.source, 80))} is invalid: ${e.message}` +
      (e.offset === undefined ? '' : ` (at character ${e.offset + 1})`),
  }));
}

/**
 * Rules 2–5: unique ids, known types, config against the type's schema, expressions compile and
 * type-check where they sit (reading only steps that run before their node).
 */
function checkNodes(rawNodes: unknown[], graph: ScopeGraph, lookup: NodeSpecLookup, issues: Issue[]): NodeView[] {
  const views: NodeView[] = [];
  const seen = new Set<string>();
  rawNodes.forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw.id !== 'string') return; // the shape check reported it
    const base: Path = ['nodes', index];
    if (seen.has(raw.id)) {
      issues.push({ path: [...base, 'id'], message: `duplicate node id "${raw.id}"` });
      return;
    }
    seen.add(raw.id);
    const type = typeof raw.type === 'string' ? raw.type : '';
    const spec = type ? lookup(type) : undefined;
    const view: NodeView = { index, id: raw.id, spec };
    views.push(view);
    if (type && !spec) issues.push({ path: [...base, 'type'], message: unknownTypeMessage(type) });
    if (spec && raw.retry !== undefined) issues.push(...retryIssues(spec, raw, base));
    if (spec && raw.onResolved !== undefined && onResolvedDefault(spec) === undefined) {
      issues.push({
        path: [...base, 'onResolved'],
        message: `node "${raw.id}": ${spec.type} never waits, so onResolved does not apply (only approvals, delays and actions that may retry or poll have it)`,
      });
    }
    if (!spec || (raw.config !== undefined && !isRecord(raw.config))) return;

    const parsed = spec.configSchema.safeParse(raw.config ?? {});
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error.issues, [...base, 'config']));
      return;
    }
    view.config = parsed.data as Record<string, unknown>;
    const refs = spec.expressions(parsed.data);
    if (refs.length === 0) return;
    const scope = expressionScope(graph, raw.id, lookup);
    for (const ref of refs) issues.push(...checkExpression(raw.id, ref, scope, [...base, 'config']));
  });
  return views;
}

/**
 * Where a `retry` policy may go: on actions that change the world (a condition or a delay has
 * nothing to retry), and on a type that is not idempotent only with `retryUnsafe: true`, because
 * a retry after a failure can do the work twice (a command that timed out after it acted).
 */
function retryIssues(spec: NodeSpec, raw: Record<string, unknown>, base: Path): Issue[] {
  if (spec.category !== 'action' || spec.sideEffects !== true) {
    return [{ path: [...base, 'retry'], message: `node "${raw.id}": ${spec.type} cannot be retried (only actions, checks and notifications can)` }];
  }
  if (spec.idempotent !== true && raw.retryUnsafe !== true) {
    return [
      {
        path: [...base, 'retryUnsafe'],
        message: `node "${raw.id}": ${spec.type} is not idempotent, so a retry after a failure may do its work twice (e.g. the first try timed out after it acted); set retryUnsafe: true if running it twice is safe`,
      },
    ];
  }
  return [];
}

/** The nodes that have an id, with their type as written ('' when it has none). */
function readNodes(rawNodes: unknown[]): ScopeGraph['nodes'] {
  return rawNodes.flatMap((raw) =>
    isRecord(raw) && typeof raw.id === 'string' ? [{ id: raw.id, type: typeof raw.type === 'string' ? raw.type : '', config: raw.config }] : [],
  );
}

/** Reads the edges that name a source and a target; `complete` is false if any could not be read. */
function readEdges(rawEdges: unknown): { edges: EdgeView[]; complete: boolean } {
  if (rawEdges === undefined) return { edges: [], complete: true };
  if (!Array.isArray(rawEdges)) return { edges: [], complete: false };
  const edges: EdgeView[] = [];
  rawEdges.forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') return;
    const sourcePort = typeof raw.sourcePort === 'string' ? raw.sourcePort : undefined;
    edges.push({ index, source: raw.source, target: raw.target, sourcePort });
  });
  return { edges, complete: edges.length === rawEdges.length };
}

/** Rule 6: endpoints exist, then the connection rules of connections.ts, duplicates included. */
function checkEdges(edges: EdgeView[], byId: Map<string, NodeView>, issues: Issue[]): GraphEdge[] {
  const graph: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const edge of edges) {
    const base: Path = ['edges', edge.index];
    const from = byId.get(edge.source);
    const to = byId.get(edge.target);
    if (!from) issues.push({ path: [...base, 'source'], message: missingEndMessage('source', edge.source) });
    if (!to) issues.push({ path: [...base, 'target'], message: missingEndMessage('target', edge.target) });
    if (!from || !to) continue;
    const ends = checkEdgeEnds(from, to, edge.sourcePort);
    for (const problem of ends.problems) {
      issues.push({ path: problem.field ? [...base, problem.field] : base, message: problem.message });
    }
    if (ends.loop) continue;
    const key = edgeKey(edge.source, ends.port, edge.target);
    if (seen.has(key)) issues.push({ path: base, message: duplicateMessage(edge.source, ends.port, edge.target) });
    seen.add(key);
    graph.push(edge);
  }
  return graph;
}

/** Rules 7–8: no cycles; at least one source; every other node reachable from one. */
function checkGraph(views: NodeView[], graph: GraphEdge[], edgesComplete: boolean, issues: Issue[]): void {
  for (const cycle of findCycles(views.map((v) => v.id), graph)) {
    issues.push({
      path: ['edges', cycle.closingEdge],
      message: cycleMessage(cycle.nodes),
    });
  }
  const sources = views.filter((v) => v.spec?.category === 'source');
  // A node of unknown type might be the missing source; it is reported already, and guessing
  // would bury that one real problem under "not reachable" noise.
  const unknown = views.filter((v) => !v.spec);
  if (sources.length === 0 && unknown.length === 0) {
    issues.push({ path: ['nodes'], message: 'a flow needs at least one source node (e.g. source.alertmanager) to start it' });
    return;
  }
  // A missing edge would make everything after it look unreachable.
  if (!edgesComplete || sources.length === 0) return;
  const reached = reachableFrom([...sources, ...unknown].map((v) => v.id), graph);
  for (const view of views) {
    if (!reached.has(view.id)) {
      issues.push({ path: ['nodes', view.index], message: `node "${view.id}" is not reachable from any source` });
    }
  }
}

/**
 * Checks a flow document completely: its shape, every node's config and expressions, and the
 * graph rules. Returns every issue found, each with its path in `input`, or the flow with each
 * node's config parsed by its type's schema (defaults filled).
 */
export function validateFlow(input: unknown, lookup: NodeSpecLookup): FlowValidation {
  const shape = FlowSchema.safeParse(input);
  const issues: Issue[] = shape.success ? [] : zodIssues(shape.error.issues);
  if (
    !isRecord(input) ||
    !Array.isArray(input.nodes) ||
    input.nodes.length > MAX_NODES ||
    (Array.isArray(input.edges) && input.edges.length > MAX_EDGES)
  ) {
    return { ok: false, issues };
  }

  const { edges, complete } = readEdges(input.edges);
  const views = checkNodes(input.nodes, { nodes: readNodes(input.nodes), edges }, lookup, issues);
  const byId = new Map(views.map((v) => [v.id, v]));
  const graph = checkEdges(edges, byId, issues);
  checkGraph(views, graph, complete, issues);
  for (const problem of loopProblems({ nodes: readNodes(input.nodes), edges }, lookup)) {
    const node = problem.node === undefined ? undefined : byId.get(problem.node);
    issues.push({ path: problem.edge !== undefined ? ['edges', edges[problem.edge]!.index] : node ? ['nodes', node.index] : ['nodes'], message: problem.message });
  }

  issues.push(...limitsIssues(input.limits));

  if (!shape.success || issues.length > 0) return { ok: false, issues };
  const configs = new Map(views.map((v) => [v.index, v.config]));
  const nodes = shape.data.nodes.map((node, i) => ({ ...node, config: configs.get(i) ?? node.config }));
  return { ok: true, flow: { ...shape.data, nodes } };
}

/**
 * What a flow's target key (`limits.target.key`) can read: the alert (and `event`, `flow`), no
 * step, since it is rendered when the run is created, before any step ran.
 * Exported for the editor's target key field (editor/src/limits/LimitsSection.tsx), which checks as the save does.
 */
export const TARGET_KEY_SCOPE: ExprScope = { steps: new Map(), nodeIds: new Set(), self: 'limits', vars: new Set() };

/** The target key must compile and type-check over the alert, like every other expression. */
function limitsIssues(limits: unknown): Issue[] {
  if (!isRecord(limits) || !isRecord(limits.target) || typeof limits.target.key !== 'string' || limits.target.key.trim() === '') return [];
  const source = limits.target.key;
  return checkCel(source, { scope: TARGET_KEY_SCOPE }).map((e) => ({
    path: ['limits', 'target', 'key'],
    message:
      `target key ${JSON.stringify(truncate(source, 80))} is invalid: ${e.message}${e.offset === undefined ? '' : ` (at character ${e.offset + 1})`}`,
  }));
}

/** The source nodes of a flow, in document order: where executions start. */
export function flowSources(flow: Flow, lookup: NodeSpecLookup): FlowNode[] {
  return flow.nodes.filter((node) => lookup(node.type)?.category === 'source');
}

/**
 * The port an edge leaves from: its `sourcePort`, or when omitted the only output of the
 * source node's type; undefined when that cannot be decided.
 */
export function resolvePort(edge: FlowEdge, lookup: NodeSpecLookup, flow: Flow): string | undefined {
  if (edge.sourcePort !== undefined) return edge.sourcePort;
  const node = flow.nodes.find((n) => n.id === edge.source);
  return portOf(node ? lookup(node.type) : undefined, undefined);
}

/** The edges leaving `nodeId` through `port`, in document order (an omitted port counts as the only one). */
export function outgoingEdges(flow: Flow, nodeId: string, port: string, lookup: NodeSpecLookup): FlowEdge[] {
  return flow.edges.filter((edge) => edge.source === nodeId && resolvePort(edge, lookup, flow) === port);
}
