import { createHash } from 'node:crypto';
import type { Flow } from '../../../shared/flow/schema.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { outgoingEdges, resolvePort } from '../../../shared/flow/validate.js';

/**
 * What approving runs, written so the same plan always gives the same text: the flow and the
 * revision that runs, the approval node, and every node reachable from its `approved` port (any
 * port onward) with its type, config and retry policy (how often it may run), plus the edges between them. Object keys are sorted
 * at every depth; nodes and edges are sorted by id.
 */
export function canonicalPlan(flow: Flow, revision: number, approvalNodeId: string): string {
  const reached = new Set<string>();
  const first = outgoingEdges(flow, approvalNodeId, 'approved', lookupNodeSpec);
  const edges = first.map((e) => ({ from: approvalNodeId, port: 'approved', to: e.target }));
  const queue = first.map((e) => e.target);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edge of flow.edges.filter((e) => e.source === id)) {
      edges.push({ from: id, port: resolvePort(edge, lookupNodeSpec, flow) ?? '', to: edge.target });
      queue.push(edge.target);
    }
  }
  const nodes = flow.nodes
    .filter((n) => reached.has(n.id))
    .map((n) => ({ id: n.id, type: n.type, config: n.config, retry: n.retry, retryUnsafe: n.retryUnsafe }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const key = (e: (typeof edges)[number]) => `${e.from}\u0000${e.port}\u0000${e.to}`;
  edges.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return canonicalJson({ v: 1, flowId: flow.id, revision, approval: approvalNodeId, nodes, edges });
}

/** SHA-256 (hex) of the canonical plan: what a decision is bound to. */
export function planHash(flow: Flow, revision: number, approvalNodeId: string): string {
  return createHash('sha256').update(canonicalPlan(flow, revision, approvalNodeId)).digest('hex');
}

/** JSON with object keys sorted at every depth (arrays keep their order: it means something). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
