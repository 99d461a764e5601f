import { describe, expect, it } from 'vitest';
import { stepSequence } from '../../../test/kit/steps.js';
import { noActionText, resolvedCancelText, stopPoints } from './stopped.js';

const { step } = stepSequence();

const flow = {
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: {} },
    { id: 'only_warnings', type: 'condition.match', config: {}, label: 'Only warnings' },
    { id: 'business_hours', type: 'condition.expr', config: {} },
  ],
};

describe('where a run without action stopped', () => {
  it('names the condition and the port that led nowhere', () => {
    const source = step('am', 'source.alertmanager', 'succeeded', 'out');
    const check = step('only_warnings', 'condition.match', 'succeeded', 'nomatch', source);
    expect(stopPoints(flow, [check, source])).toEqual([{ nodeId: 'only_warnings', label: 'Only warnings', port: 'nomatch' }]);
    expect(noActionText(flow, [source, check])).toBe(
      'It stopped at “Only warnings” → nomatch, which leads nowhere. No action or approval step ran, so nothing was changed.',
    );
  });

  it('lists every branch that ended, with type labels for unnamed nodes', () => {
    const source = step('am', 'source.alertmanager', 'succeeded', 'out');
    const a = step('only_warnings', 'condition.match', 'succeeded', 'nomatch', source);
    const b = step('business_hours', 'condition.expr', 'succeeded', 'false', source);
    expect(noActionText(flow, [source, a, b])).toMatch(/^It stopped at “Only warnings” → nomatch and “.+” → false, which lead nowhere\./);
  });

  it('still says nothing was changed when the steps are unknown', () => {
    expect(noActionText(null, [])).toBe('No action or approval step ran, so nothing was changed.');
  });
});

describe('a run cancelled because its alert resolved', () => {
  it('says so with the node the run waited at, by its name', () => {
    const flowWithAsk = { nodes: [{ id: 'ask', type: 'approval.request', config: {}, label: 'Approve restart' }] };
    const ask = step('ask', 'approval.request', 'cancelled', null);
    expect(resolvedCancelText(flowWithAsk, [ask], 'the alert resolved while waiting for approval at node "ask" (onResolved: cancel)')).toBe(
      'the alert resolved while waiting for approval at “Approve restart”: its “When the alert resolves” is set to cancel the run, so nothing after it ran.',
    );
    expect(resolvedCancelText(flowWithAsk, [ask], 'cancelled by alice')).toBeNull();
  });
});
