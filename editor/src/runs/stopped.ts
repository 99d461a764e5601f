import type { Flow } from '../../../shared/flow/schema.js';
import type { Step } from '../../../shared/api-views.js';
import { nodeLabel } from './approval-context.js';
import { isResolvedCancel } from '../../../shared/flow/on-resolved.js';

/** A step where a run's path ended: nothing ran after it. */
export interface StopPoint {
  nodeId: string;
  label: string;
  /** The port it took, which leads nowhere (e.g. `nomatch`, `false`). */
  port: string | null;
}

/**
 * Where a run that took no action stopped: the steps no other step followed, in order. For a
 * condition that is the node and the port it took ("Match labels → nomatch"), which is what an
 * operator wants to know about a `no_action` run: which check let the alert go.
 */
export function stopPoints(flow: Pick<Flow, 'nodes'> | null, steps: readonly Step[]): StopPoint[] {
  const parents = new Set(steps.map((s) => s.parentStepId).filter((id): id is string => id !== null));
  return [...steps]
    .sort((a, b) => a.seq - b.seq)
    .filter((s) => !parents.has(s.id))
    .map((s) => ({ nodeId: s.nodeId, label: nodeLabel(flow, s.nodeId, s.nodeType), port: s.port }));
}

/** "Stopped at Only warnings → nomatch, which leads nowhere." in words, for the run header. */
export function noActionText(flow: Pick<Flow, 'nodes'> | null, steps: readonly Step[]): string {
  const points = stopPoints(flow, steps);
  const where = points.map((p) => (p.port ? `“${p.label}” → ${p.port}` : `“${p.label}”`));
  const list = where.length <= 1 ? (where[0] ?? '') : `${where.slice(0, -1).join(', ')} and ${where.at(-1)}`;
  const stop = list ? `It stopped at ${list}, which ${points.length === 1 ? 'leads' : 'lead'} nowhere. ` : '';
  return `${stop}No action or approval step ran, so nothing was changed.`;
}

/**
 * A run cancelled because its alert resolved while a step waited (a node's `onResolved: cancel`),
 * in words: "the alert resolved while waiting for approval at “Approve restart”: its “When the
 * alert resolves” is set to cancel the run." Null for any other cancellation.
 */
export function resolvedCancelText(flow: Pick<Flow, 'nodes'> | null, steps: readonly Step[], error: string | null): string | null {
  if (!isResolvedCancel(error)) return null;
  const text = error!.replace(/ at node "([A-Za-z0-9_]+)" \(onResolved: cancel\)$/, (_, id: string) => {
    const type = steps.find((s) => s.nodeId === id)?.nodeType ?? flow?.nodes.find((n) => n.id === id)?.type ?? id;
    return ` at “${nodeLabel(flow, id, type)}”`;
  });
  return `${text}: its “When the alert resolves” is set to cancel the run, so nothing after it ran.`;
}
