import { describe, expect, it } from 'vitest';
import { getFlowTemplate } from '../../../shared/templates/index.js';
import { flowFromTemplate, freeTemplateFlowId, templateTestInput } from './template-flow.js';

describe('a new flow from a template', () => {
  it('takes the template id, or the first free <id>-N', () => {
    expect(freeTemplateFlowId('disk-full-cleanup', new Set())).toBe('disk-full-cleanup');
    expect(freeTemplateFlowId('disk-full-cleanup', new Set(['disk-full-cleanup', 'disk-full-cleanup-2']))).toBe('disk-full-cleanup-3');
    const long = 'a'.repeat(64);
    expect(freeTemplateFlowId(long, new Set([long]))).toBe(`${'a'.repeat(62)}-2`);
  });

  it('is the template document with that id, disabled, and leaves the template untouched', () => {
    const template = getFlowTemplate('flapping-escalate')!;
    const flow = flowFromTemplate(template, 'flapping-escalate-2');
    expect(flow.id).toBe('flapping-escalate-2');
    expect(flow.enabled).toBe(false);
    expect(flow.nodes.map((n) => n.id)).toEqual(template.flow.nodes.map((n) => n.id));
    expect(template.flow.id).toBe('flapping-escalate');
  });

  it('tests with the template sample, sent to its source', () => {
    const template = getFlowTemplate('grafana-alert-ticket')!;
    const input = templateTestInput(template);
    expect(input.sourceNodeId).toBe('grafana');
    expect(input.sample).toBe('Template sample: CheckoutErrorRate critical in Grafana');
    expect(JSON.parse(input.payloadText)).toEqual(template.sample.payload);
  });
});
