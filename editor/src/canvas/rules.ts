import { getNodeDefinition } from '../../../nodes/catalog.js';

/**
 * The live form of the flow rules shared/flow/validate.ts checks at save: while a wire is being
 * dragged, the canvas refuses what saving would reject, and says why.
 */

interface GraphNode {
  id: string;
  data: { type: string };
}
interface GraphEdge {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export interface Connection {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/** Whether `target` can reach `source` along edges (adding source → target would close a loop). */
function reaches(from: string, to: string, edges: readonly GraphEdge[]): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(out.get(id) ?? []));
  }
  return false;
}

/** Checks a new edge: no edge into a source, no self-loop, no cycle, no duplicate. */
export function checkConnection(c: Connection, nodes: readonly GraphNode[], edges: readonly GraphEdge[]): ConnectionCheck {
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return { ok: false, reason: 'both ends must be nodes on this canvas' };
  if (c.source === c.target) return { ok: false, reason: 'a node cannot connect to itself' };
  const targetDef = getNodeDefinition(target.data.type);
  if (targetDef?.category === 'source') return { ok: false, reason: `${targetDef.label} is an alert source: sources start a flow and take no input` };
  const sourceDef = getNodeDefinition(source.data.type);
  const outputs = sourceDef?.outputs ?? [];
  const port = c.sourceHandle ?? (outputs.length === 1 ? outputs[0] : undefined);
  if (!port || !outputs.includes(port)) return { ok: false, reason: `choose one of the ports of "${c.source}": ${outputs.join(', ')}` };
  const duplicate = edges.some(
    (e) => e.source === c.source && e.target === c.target && (e.sourceHandle ?? (outputs.length === 1 ? outputs[0] : undefined)) === port,
  );
  if (duplicate) return { ok: false, reason: `"${c.source}" ${port} is already connected to "${c.target}"` };
  if (reaches(c.target, c.source, edges)) return { ok: false, reason: `"${c.target}" already leads back to "${c.source}": a flow must not loop` };
  return { ok: true };
}
