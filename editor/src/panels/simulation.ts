import { getNodeDefinition } from '../../../nodes/catalog.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { SlugSchema, type Flow } from '../../../shared/flow/schema.js';
import { truncate } from '../../../shared/text.js';
import { api, call } from '../api/client.js';
import type { SimulateResult, SimulatedAlert } from '../../../shared/api-views.js';
import { edgeId } from '../canvas/model.js';
import type { NodeMarkInfo } from '../canvas/overlay.js';

/** A sample delivery a source node type ships for testing (see `samples` in its definition). */
export interface Sample {
  name: string;
  description: string;
  payload: unknown;
}

/** The samples of a source node type, or none. */
export function samplesFor(type: string): readonly Sample[] {
  const def = getNodeDefinition(type) as { samples?: readonly Sample[] } | undefined;
  return def?.samples ?? [];
}

/** What the runtime's simulate endpoint says the flow would do with `payload` (nothing is executed). */
export function simulate(flow: Flow, source: { id: string; type: string }, payload: unknown): Promise<SimulateResult> {
  return call(api.flows.simulate.$post({ json: { flow, source: source.type, sourceNodeId: source.id, payload } }));
}

/** Marks and taken edges for one simulated alert, to draw on the canvas. */
export function overlayFromSimulation(sim: SimulatedAlert, allNodeIds: readonly string[]): { marks: Map<string, NodeMarkInfo>; edges: Set<string> } {
  const marks = new Map<string, NodeMarkInfo>();
  for (const step of sim.steps) {
    const def = getNodeDefinition(step.type);
    if (step.status === 'error') {
      marks.set(step.nodeId, { mark: 'error', note: step.error ? truncate(step.error, 60) : undefined });
      continue;
    }
    let note = step.port;
    if (def?.category === 'condition' && step.result !== undefined) note = `${step.port} (${formatResult(step.result)})`;
    if (step.assumed) note = `${step.port}, assumed`;
    marks.set(step.nodeId, { mark: 'taken', note });
  }
  for (const id of allNodeIds) if (!marks.has(id)) marks.set(id, { mark: 'skipped' });
  const edges = new Set(sim.edges.map((e) => edgeId(e.source, e.sourcePort, e.target)));
  return { marks, edges };
}

function formatResult(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'matched' in value) return String((value as { matched: unknown }).matched);
  const text = JSON.stringify(value);
  return truncate(text ?? String(value), 30);
}

/**
 * A source's config for normalizing a sample only: a webhook source's hook path or auth still
 * being typed must not block previews, so they are replaced; other sources' configs (a
 * schedule, a manual run) have neither and are kept as they are.
 */
export function probeConfig(type: string, sourceConfig: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = { ...sourceConfig };
  if (!startsBy(getNodeDefinition(type), 'webhook')) return config;
  if (!SlugSchema.safeParse(config.path).success) config.path = 'preview';
  config.auth = { type: 'none' };
  return config;
}

/**
 * The variables expressions see for a sample delivery: the source normalizes it exactly as a
 * real delivery (through the simulate endpoint, on a flow holding only that source), so a live
 * preview shows what a run would render.
 */
export async function previewVars(flow: Flow, sourceNodeId: string, payload: unknown, steps: Record<string, unknown> = {}): Promise<ExprVars> {
  const source = flow.nodes.find((n) => n.id === sourceNodeId);
  if (!source) throw new Error('no source node');
  const config = probeConfig(source.type, source.config);
  const probe = {
    format: flow.format,
    id: 'preview',
    name: 'preview',
    enabled: false,
    nodes: [{ id: source.id, type: source.type, config }],
    edges: [],
  };
  const result = await simulate(probe as Flow, source, payload);
  const first = result.alerts[0];
  if (!first) throw new Error('the sample holds no alert');
  return {
    alert: first.alert,
    event: payload,
    // A run records the alert as its source step's output (steps.<source>); a simulation's step list does not.
    steps: { ...steps, [sourceNodeId]: first.alert },
    flow: { id: flow.id, name: flow.name, revision: 0 },
    execution: { id: 'preview', startedAt: new Date().toISOString() },
  };
}
