import { ValidationError } from '../../../shared/errors.js';
import type { Alert } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import type { ExecContext } from '../../../nodes/executor.js';
import { outgoingEdges } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { NO_NETWORK } from '../../../nodes/network.js';
import { getNodeModule, getSourceAdapter } from '../../../nodes/registry.js';
import type { NodeModule, SendPreview } from '../../../nodes/node-module.js';
import { RenderError, renderConfig, type RenderedConfig } from '../dispatch/render.js';
import type { SimulatedAlert, SimulatedStep } from '../../../shared/api-views.js';
import { placeholderLinks } from '../approvals/approval-links.js';
import { boundAlert } from '../../../nodes/source/limits.js';

export type { SimulatedAlert };

const MAX_SIMULATED_STEPS = 1000;

/**
 * What a simulation may ask the real systems (the editor's Test tab, not replay or the CLI): a
 * context for a side-effecting step whose type can be checked without changing anything
 * (NodeModule.dryRun).
 */
export interface DryRuns {
  contextFor(node: FlowNode, vars: ExprVars): ExecContext;
}

/**
 * What a flow would do with a payload, without doing it: conditions are evaluated for real,
 * actions and approvals are rendered and assumed to take their usual port (`ok`, `approved`).
 * Nothing is sent, spawned or stored.
 */
export async function simulateFlow(flow: Flow, source: string, payload: unknown, now = new Date(), sourceNodeId?: string, dryRuns?: DryRuns): Promise<SimulatedAlert[]> {
  const type = source.startsWith('source.') ? source : `source.${source}`;
  // A flow may have several sources of one type (two Alertmanager paths): the caller names one.
  const sourceNode = flow.nodes.find((n) => n.type === type && (sourceNodeId === undefined || n.id === sourceNodeId));
  const adapter = getSourceAdapter(type);
  if (sourceNodeId !== undefined && !sourceNode) {
    throw new ValidationError(`flow "${flow.id}" has no ${type} node "${sourceNodeId}"`, [
      { path: ['sourceNodeId'], message: `must name a ${type} node of the flow` },
    ]);
  }
  if (!sourceNode || !adapter) {
    const kinds = flow.nodes.filter((n) => n.type.startsWith('source.')).map((n) => n.type.slice(7));
    throw new ValidationError(`flow "${flow.id}" has no ${type} node`, [
      { path: ['source'], message: `must be one of the flow's sources: ${kinds.join(', ') || '(none)'}` },
    ]);
  }
  const alerts = adapter.normalize(sourceNode.config, payload, { now: now.getTime() }).map(boundAlert);
  const results: SimulatedAlert[] = [];
  for (const alert of alerts) {
    results.push(await simulateOne(flow, sourceNode.id, adapter.accepts(sourceNode.config, alert), alert, payload, now, dryRuns));
  }
  return results;
}

/** What `flow` would do with one normalized alert from its source `sourceNodeId` (`starts`: whether the source starts a run for it). */
export async function simulateOne(flow: Flow, sourceNodeId: string, starts: boolean, alert: Alert, payload: unknown, now: Date, dryRuns?: DryRuns): Promise<SimulatedAlert> {
  const result: SimulatedAlert = { alert, sourceNodeId, starts, steps: [], skipped: [], edges: [] };
  const outputs: Record<string, unknown> = { [sourceNodeId]: alert };
  const visited = new Set<string>([sourceNodeId]);
  result.steps.push({ nodeId: sourceNodeId, type: flow.nodes.find((n) => n.id === sourceNodeId)!.type, status: 'taken', port: 'out' });
  // `loop`: the item a loop's body is simulated with (the first of the list: the body is shown once).
  const queue: { from: string; port: string; loop?: { item: unknown; index: number } }[] = starts ? [{ from: sourceNodeId, port: 'out' }] : [];
  // What steps that set variables computed, merged in the order they ran (as `vars` at run time).
  const setVars: Record<string, unknown> = {};
  const signal = new AbortController().signal;

  while (queue.length > 0 && result.steps.length < MAX_SIMULATED_STEPS) {
    const { from, port, loop } = queue.shift()!;
    for (const edge of outgoingEdges(flow, from, port, lookupNodeSpec)) {
      result.edges.push({ source: from, sourcePort: port, target: edge.target });
      const node = flow.nodes.find((n) => n.id === edge.target)!;
      const nodeType = getNodeModule(node.type)!;
      const def = nodeType.definition;
      visited.add(node.id);
      const vars: ExprVars = {
        alert,
        event: payload,
        steps: { ...outputs },
        flow: { id: flow.id, name: flow.name, revision: 0 },
        execution: { id: 'simulation', startedAt: now.toISOString() },
        vars: { ...setVars },
        ...(loop ? { item: loop.item, index: loop.index } : {}),
        approval: placeholderLinks(flow),
      };
      let rendered: RenderedConfig;
      try {
        rendered = renderConfig(node.config, def.expressions(node.config), vars);
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        result.steps.push({ nodeId: node.id, type: node.type, status: 'error', error: error.message });
        continue;
      }
      const checked = def.sideEffects && dryRuns && nodeType.dryRun ? await nodeType.dryRun(rendered.value, dryRuns.contextFor(node, vars)) : undefined;
      if (checked?.type === 'next') {
        result.steps.push({ nodeId: node.id, type: node.type, status: 'taken', port: checked.port, rendered: rendered.redacted, result: checked.output, dryRun: true });
        outputs[node.id] = checked.output;
        queue.push({ from: node.id, port: checked.port, loop });
        continue;
      }
      if (checked?.type === 'fail') {
        result.steps.push({ nodeId: node.id, type: node.type, status: 'error', error: checked.error, rendered: rendered.redacted, dryRun: true, ...(checked.port ? { port: checked.port } : {}) });
        if (checked.port) queue.push({ from: node.id, port: checked.port, loop });
        continue;
      }
      if (def.sideEffects) {
        const assumedPort = def.simulatePort ?? def.outputs[0]!;
        const wouldSend = previewOf(nodeType, rendered.value, vars);
        result.steps.push({ nodeId: node.id, type: node.type, status: 'taken', port: assumedPort, rendered: rendered.redacted, assumed: true, ...(wouldSend ? { wouldSend } : {}) });
        outputs[node.id] = null;
        queue.push({ from: node.id, port: assumedPort, loop });
        continue;
      }
      const outcome = await nodeType.execute(rendered.value, {
        executionId: 'simulation',
        nodeId: node.id,
        stepId: 'simulation',
        attempt: 1,
        idempotencyKey: `simulation:${node.id}`,
        signal,
        vars,
        network: NO_NETWORK,
        secrets: [],
        now: () => now,
      });
      if (outcome.type === 'next' || outcome.type === 'wait-until') {
        const step: SimulatedStep = { nodeId: node.id, type: node.type, status: 'taken', port: outcome.port, result: outcome.output };
        if (def.category !== 'condition') step.rendered = rendered.redacted;
        result.steps.push(step);
        outputs[node.id] = outcome.output;
        if (def.setsVars && outcome.output && typeof outcome.output === 'object') Object.assign(setVars, outcome.output);
        queue.push({ from: node.id, port: outcome.port, loop });
      } else if (outcome.type === 'foreach') {
        // A loop: its body once, with the first item, then what follows the loop.
        const port = def.loopPort ?? 'each';
        result.steps.push({ nodeId: node.id, type: node.type, status: 'taken', port, rendered: rendered.redacted, result: { items: outcome.items } });
        outputs[node.id] = { items: outcome.items, results: [] };
        if (outcome.items.length > 0) queue.push({ from: node.id, port, loop: { item: outcome.items[0], index: 0 } });
        queue.push({ from: node.id, port: 'done' });
      } else if (outcome.type === 'wait-resolved') {
        // When the alert resolves is not known before it happens: assume it does.
        const port = def.simulatePort ?? def.outputs[0]!;
        result.steps.push({ nodeId: node.id, type: node.type, status: 'taken', port, rendered: rendered.redacted, assumed: true });
        outputs[node.id] = null;
        queue.push({ from: node.id, port, loop });
      } else if (outcome.type === 'fail') {
        result.steps.push({ nodeId: node.id, type: node.type, status: 'error', error: outcome.error, ...(outcome.port ? { port: outcome.port } : {}) });
        if (outcome.port) queue.push({ from: node.id, port: outcome.port, loop });
      }
    }
  }
  result.skipped = flow.nodes.filter((n) => !visited.has(n.id)).map((n) => n.id);
  return result;
}

/**
 * What a side-effecting step would send (its module's `preview`), or undefined when the type has
 * none or the preview cannot be built from this config (the rendered config is shown anyway).
 */
function previewOf(module: NodeModule, config: unknown, vars: ExprVars): SendPreview | undefined {
  if (!module.preview) return undefined;
  try {
    return module.preview(config as never, { vars });
  } catch {
    return undefined;
  }
}
