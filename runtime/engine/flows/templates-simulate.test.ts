import { describe, expect, it } from 'vitest';
import { flowTemplates } from '../../../shared/templates/index.js';
import { parseFlowOrThrow } from './flow-service.js';
import { simulateFlow } from './simulate.js';

/**
 * Each template's sample, simulated through its flow as the editor's Test tab does: the alert
 * starts the flow and takes the template's expected path to its intended action, with
 * no step failing on the way (a template that reads a label the sample lacks fails here).
 */
describe.each(flowTemplates.map((t) => [t.id, t] as const))('template %s, simulated with its sample', (_id, template) => {
  it('reaches its intended action along the expected path', async () => {
    const flow = parseFlowOrThrow(template.flow);
    const source = flow.nodes.find((n) => n.id === template.sample.sourceNodeId)!;
    const [sim, ...more] = await simulateFlow(flow, source.type, template.sample.payload, new Date('2026-12-05T17:00:00Z'));
    expect(more).toEqual([]);
    expect(sim!.starts).toBe(true);
    expect(sim!.steps.filter((s) => s.status === 'error')).toEqual([]);
    // The path starts as expected; steps after the intended action (a chat message) may follow.
    expect(sim!.steps.map((s) => s.nodeId).slice(0, template.expectedPath.length)).toEqual(template.expectedPath);
    const action = sim!.steps[template.expectedPath.length - 1]!;
    expect(action.status).toBe('taken');
    // The intended action is rendered with the sample's values, not left as templates.
    expect(JSON.stringify(action.rendered)).not.toContain('{{');
  });
});
