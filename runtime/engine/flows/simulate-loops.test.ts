import { describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { parseFlowOrThrow } from './flow-service.js';
import { simulateFlow } from './simulate.js';

/** The Test tab's simulation of loops and variables: set variables run for real, a loop's body is shown once with its first item. */
describe('simulating loops and variables', () => {
  it('computes vars, renders the loop body with the first item, then follows done', async () => {
    const flow = parseFlowOrThrow(
      flowDoc({
        nodes: [
          { id: 'names', type: 'transform.set', config: { vars: { port: '"9100"' } } },
          { id: 'hosts', type: 'control.foreach', config: { items: 'alert.labels.instance.split(",")' } },
          { id: 'clean', type: 'action.http', config: { url: 'http://{{ item }}:{{ vars.port }}/clean?i={{ index }}' } },
          { id: 'after', type: 'action.delay', config: { seconds: 5 } },
        ],
        edges: [
          { source: 'am', target: 'names' },
          { source: 'names', target: 'hosts' },
          { source: 'hosts', sourcePort: 'each', target: 'clean' },
          { source: 'hosts', sourcePort: 'done', target: 'after' },
        ],
      }),
    );
    const [sim] = await simulateFlow(flow, 'alertmanager', amPayload([amAlert({ instance: 'web1,web2' })]));
    expect(sim!.steps.map((s) => [s.nodeId, s.status, s.port])).toEqual([
      ['am', 'taken', 'out'],
      ['names', 'taken', 'out'],
      ['hosts', 'taken', 'each'],
      ['clean', 'taken', 'ok'],
      ['after', 'taken', 'done'],
    ]);
    expect(sim!.steps.find((s) => s.nodeId === 'hosts')!.result).toEqual({ items: ['web1', 'web2'] });
    expect((sim!.steps.find((s) => s.nodeId === 'clean')!.rendered as { url: string }).url).toBe('http://web1:9100/clean?i=0');
  });
});
