import { describe, expect, it } from 'vitest';
import type { Step } from '../../../shared/api-views.js';
import { noActionText, stopPoints } from './stopped.js';

let seq = 0;
function step(nodeId: string, nodeType: string, port: string | null, parent?: Step): Step {
  seq++;
  return {
    id: `st_${seq}`,
    seq,
    nodeId,
    nodeType,
    parentStepId: parent?.id ?? null,
    status: 'succeeded',
    attempt: 1,
    port,
    input: null,
    config: null,
    output: null,
    error: null,
    createdAt: '2026-05-01T12:00:00.000Z',
    startedAt: null,
    endedAt: null,
    wakeAt: null,
  };
}

const flow = {
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: {} },
    { id: 'only_warnings', type: 'condition.match', config: {}, label: 'Only warnings' },
    { id: 'business_hours', type: 'condition.expr', config: {} },
  ],
};

describe('where a run without action stopped', () => {
  it('names the condition and the port that led nowhere', () => {
    const source = step('am', 'source.alertmanager', 'out');
    const check = step('only_warnings', 'condition.match', 'nomatch', source);
    expect(stopPoints(flow, [check, source])).toEqual([{ nodeId: 'only_warnings', label: 'Only warnings', port: 'nomatch' }]);
    expect(noActionText(flow, [source, check])).toBe(
      'It stopped at “Only warnings” → nomatch, which leads nowhere. No action or approval step ran, so nothing was changed.',
    );
  });

  it('lists every branch that ended, with type labels for unnamed nodes', () => {
    const source = step('am', 'source.alertmanager', 'out');
    const a = step('only_warnings', 'condition.match', 'nomatch', source);
    const b = step('business_hours', 'condition.expr', 'false', source);
    expect(noActionText(flow, [source, a, b])).toMatch(/^It stopped at “Only warnings” → nomatch and “.+” → false, which lead nowhere\./);
  });

  it('still says nothing was changed when the steps are unknown', () => {
    expect(noActionText(null, [])).toBe('No action or approval step ran, so nothing was changed.');
  });
});
