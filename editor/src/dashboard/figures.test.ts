import { describe, expect, it } from 'vitest';
import type { FlowOutcome, OutcomeBucketRow } from '../../../shared/outcomes.js';
import { duration, isRangeKey, minutes, percent, rangeQuery, sortFlows, stackedRuns } from './figures.js';

const bucket = (over: Partial<OutcomeBucketRow>): OutcomeBucketRow => ({
  start: '2026-11-20T00:00:00.000Z',
  alertsReceived: 0,
  runs: 0,
  succeeded: 0,
  failed: 0,
  noAction: 0,
  cancelled: 0,
  held: 0,
  active: 0,
  successRate: null,
  timeToRemediateP50Ms: null,
  timeToRemediateP90Ms: null,
  pagesAvoided: 0,
  ...over,
});

const flow = (flowId: string, over: { runs?: number; successRate?: number | null; name?: string | null }): FlowOutcome =>
  ({
    flowId,
    flowName: over.name === undefined ? flowId : over.name,
    runs: over.runs ?? 0,
    successRate: over.successRate ?? null,
  }) as FlowOutcome;

describe('dashboard figures', () => {
  it('asks for whole UTC hours or days ending now, the current one included', () => {
    const now = Date.parse('2026-11-24T10:17:00Z');
    expect(rangeQuery('24h', now)).toEqual({ since: '2026-11-23T11:00:00.000Z', until: '2026-11-24T10:17:00.000Z', bucket: 'hour' });
    expect(rangeQuery('7d', now)).toEqual({ since: '2026-11-18T00:00:00.000Z', until: '2026-11-24T10:17:00.000Z', bucket: 'day' });
    expect(rangeQuery('30d', now).since).toBe('2026-10-26T00:00:00.000Z');
    expect([isRangeKey('7d'), isRangeKey('1y'), isRangeKey(undefined), isRangeKey('toString')]).toEqual([true, false, false, false]);
  });

  it('reads durations and rates as people say them, a dash for nothing measured', () => {
    expect([duration(null), duration(300_000), duration(768_000), percent(null), percent(0.625), percent(2 / 3)]).toEqual([
      '–',
      '5 min',
      '12 min 48 s',
      '–',
      '62.5 %',
      '66.7 %',
    ]);
    expect([minutes(null), minutes(90_000), minutes(1_860_000)]).toEqual([null, 1.5, 31]);
  });

  it('stacks the runs chart bottom-up: each outcome reaches the sum of it and those below', () => {
    const { raw, stacked } = stackedRuns([bucket({ succeeded: 2, failed: 1, held: 1, noAction: 1 }), bucket({ cancelled: 3, active: 1 })]);
    expect(raw).toEqual([
      [2, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 3],
      [0, 1],
    ]);
    expect(stacked).toEqual([
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
      [5, 3],
      [5, 4],
    ]);
  });

  it('sorts flows by a column either way, flows without a value last', () => {
    const flows = [flow('a', { runs: 3, successRate: 0.5 }), flow('b', { runs: 9, successRate: null }), flow('c', { runs: 1, successRate: 1, name: null })];
    expect(sortFlows(flows, 'runs', 'desc').map((f) => f.flowId)).toEqual(['b', 'a', 'c']);
    expect(sortFlows(flows, 'successRate', 'asc').map((f) => f.flowId)).toEqual(['a', 'c', 'b']);
    expect(sortFlows(flows, 'successRate', 'desc').map((f) => f.flowId)).toEqual(['c', 'a', 'b']);
    // A deleted flow (no name) sorts by its id.
    expect(sortFlows(flows, 'flow', 'asc').map((f) => f.flowId)).toEqual(['a', 'b', 'c']);
  });
});
