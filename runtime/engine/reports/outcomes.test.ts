import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../store/db.js';
import { outcomesRepo } from '../../store/outcomes-repo.js';
import { atDay as at, OUTCOMES_RANGE, outcomesHistory, seedOutcomes } from '../../../test/kit/outcomes-seed.js';
import { OutcomeReportSchema } from '../../../shared/outcomes.js';
import { bucketStarts, outcomeReport, outcomeSeriesByFlow, percentile, type OutcomeScope } from './outcomes.js';

// The answers below are worked out by hand from test/kit/outcomes-seed.ts (times in minutes).
const MIN = 60_000;
const ALPHA = ['restart', 'disk'];

let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await seedOutcomes(store, outcomesHistory());
});

const report = (scope: Partial<OutcomeScope> = {}) => {
  const s: OutcomeScope = { ...OUTCOMES_RANGE, bucket: 'day', flowIds: ALPHA, ...scope };
  const r = outcomeReport(outcomesRepo.rows(store.db, s), s);
  expect(OutcomeReportSchema.parse(r)).toEqual(r);
  return r;
};

describe('percentile', () => {
  it('is the nearest rank: the smallest value with at least p of the values at or below it', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(percentile([4, 1, 3, 2], 0.9)).toBe(4);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});

describe('bucketStarts', () => {
  it('covers the range with whole UTC hours or days', () => {
    expect(bucketStarts(at(1, 10, 30), at(1, 12, 0), 'hour').map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T11:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
    ]);
    expect(bucketStarts(OUTCOMES_RANGE.since, OUTCOMES_RANGE.until, 'day')).toEqual([at(1, 0, 0), at(2, 0, 0)]);
  });
});

describe('the outcomes report over a seeded history (team alpha: restart and disk)', () => {
  it('overall figures', () => {
    expect(report().overall).toEqual({
      // restart: f1 (delivered twice: one alert) f2 f3 f9 (day 1), f4 f5 f6 f7 (day 2); disk: g1 g2.
      // Resolved notices and the manual run are not alerts.
      alertsReceived: 10,
      // r1–r8 and d1, d2 (r0 was created before the range; o1 is beta's).
      runs: 10,
      byStatus: { succeeded: 5, failed: 2, needsAttention: 0, timedOut: 1, noAction: 1, cancelled: 0, held: 1, active: 0 },
      ended: 8,
      successRate: 5 / 8,
      // Successful alert runs: d1 3, r1 5, r2 15, r4 31 minutes (r8 was started by hand).
      timeToRemediate: { count: 4, p50Ms: 5 * MIN, p90Ms: 31 * MIN },
      mttr: {
        // r1 7, r2 20, r4 30, d1 4 minutes.
        automated: { count: 4, meanMs: ((7 + 20 + 30 + 4) / 4) * MIN },
        // Similar = HighLatency or DiskFull from alertmanager, resolved without a successful run:
        // f3 (its run failed) 40, f9 (no run) 60, f10 (DiskFull, no run) 10 minutes.
        withoutAutomation: { count: 3, meanMs: ((40 + 60 + 10) / 3) * MIN },
      },
      // r1 and d1: resolved after the run ended, nobody decided anything. Not r2 (approved by a
      // person), not r4 (resolved a minute before its run ended).
      pagesAvoided: 2,
      // r2's approval waited 10 minutes; r4's timed out.
      approvalWaits: { count: 1, p50Ms: 10 * MIN, p90Ms: 10 * MIN, timedOut: 1 },
    });
  });

  it('per flow, most runs first', () => {
    const { flows } = report();
    expect(flows.map((f) => [f.flowId, f.flowName])).toEqual([
      ['restart', 'Restart API'],
      ['disk', '=HYPERLINK("x"), disk'],
    ]);
    const [restart, disk] = flows;
    expect(restart).toMatchObject({
      alertsReceived: 8,
      runs: 8,
      // r8 (started by hand) counts as a run and a success, but not in the alert figures.
      byStatus: { succeeded: 4, failed: 2, needsAttention: 0, timedOut: 0, noAction: 1, cancelled: 0, held: 1, active: 0 },
      ended: 6,
      successRate: 4 / 6,
      timeToRemediate: { count: 3, p50Ms: 15 * MIN, p90Ms: 31 * MIN },
      // DiskFull f10 reached restart, but restart never handled a DiskFull: not similar here.
      mttr: { automated: { count: 3, meanMs: ((7 + 20 + 30) / 3) * MIN }, withoutAutomation: { count: 2, meanMs: ((40 + 60) / 2) * MIN } },
      pagesAvoided: 1,
      approvalWaits: { count: 1, p50Ms: 10 * MIN, p90Ms: 10 * MIN, timedOut: 1 },
    });
    expect(disk).toMatchObject({
      alertsReceived: 2,
      runs: 2,
      byStatus: { succeeded: 1, failed: 0, needsAttention: 0, timedOut: 1, noAction: 0, cancelled: 0, held: 0, active: 0 },
      ended: 2,
      successRate: 0.5,
      timeToRemediate: { count: 1, p50Ms: 3 * MIN, p90Ms: 3 * MIN },
      mttr: { automated: { count: 1, meanMs: 4 * MIN }, withoutAutomation: { count: 0, meanMs: null } },
      pagesAvoided: 1,
      approvalWaits: { count: 0, p50Ms: null, p90Ms: null, timedOut: 0 },
    });
  });

  it('top failing steps: final failures and unknown outcomes, not retried attempts', () => {
    expect(report().topFailingSteps).toEqual([
      {
        flowId: 'restart',
        flowName: 'Restart API',
        nodeId: 'restart',
        nodeType: 'action.ssh',
        count: 2,
        lastError: "=cmd|' /C calc'!A0",
        lastAt: new Date(at(2, 12, 4)).toISOString(),
        lastExecutionId: 'r7',
      },
      {
        flowId: 'disk',
        flowName: '=HYPERLINK("x"), disk',
        nodeId: 'clean',
        nodeType: 'action.http',
        count: 1,
        lastError: 'interrupted',
        lastAt: new Date(at(1, 9, 30)).toISOString(),
        lastExecutionId: 'd2',
      },
    ]);
  });

  it('a time series per day, and per hour', () => {
    const r = report();
    expect(r.bucket).toBe('day');
    expect(r.series).toEqual([
      {
        start: '2026-11-20T00:00:00.000Z',
        alertsReceived: 6,
        runs: 5,
        succeeded: 3,
        failed: 2,
        noAction: 0,
        cancelled: 0,
        held: 0,
        active: 0,
        successRate: 3 / 5,
        timeToRemediateP50Ms: 5 * MIN,
        timeToRemediateP90Ms: 15 * MIN,
        pagesAvoided: 2,
      },
      {
        start: '2026-11-21T00:00:00.000Z',
        alertsReceived: 4,
        runs: 5,
        succeeded: 2,
        failed: 1,
        noAction: 1,
        cancelled: 0,
        held: 1,
        active: 0,
        successRate: 2 / 3,
        timeToRemediateP50Ms: 31 * MIN,
        timeToRemediateP90Ms: 31 * MIN,
        pagesAvoided: 0,
      },
    ]);
    const hourly = report({ bucket: 'hour', since: at(1, 8, 0), until: at(1, 11, 59, 59) });
    expect(hourly.series.map((b) => [b.start.slice(11, 16), b.alertsReceived, b.runs, b.succeeded, b.failed, b.pagesAvoided])).toEqual([
      ['08:00', 1, 1, 1, 0, 1],
      ['09:00', 1, 1, 0, 1, 0],
      ['10:00', 1, 1, 1, 0, 1],
      ['11:00', 1, 1, 1, 0, 0],
    ]);
  });

  it('a flow filter and team scoping: another team’s flows are neither counted nor named', () => {
    const disk = report({ flowId: 'disk' });
    expect(disk.flowId).toBe('disk');
    expect(disk.flows.map((f) => f.flowId)).toEqual(['disk']);
    expect(disk.overall.runs).toBe(2);
    expect(disk.topFailingSteps.map((s) => s.nodeId)).toEqual(['clean']);
    // Beta's flow asked for by an alpha member: nothing.
    const other = report({ flowId: 'other' });
    expect(other.flows).toEqual([]);
    expect(other.overall.runs).toBe(0);
    expect(other.overall.alertsReceived).toBe(0);
    // An admin (no visibility limit) sees beta's run, alert and failing step too.
    const all = report({ flowIds: undefined });
    expect(all.flows.map((f) => f.flowId)).toEqual(['restart', 'disk', 'other']);
    expect(all.overall).toMatchObject({ runs: 11, alertsReceived: 11, pagesAvoided: 3 });
    expect(all.topFailingSteps.map((s) => s.flowId)).toEqual(['restart', 'other', 'disk']);
  });

  it('an empty range answers zeros and nulls, with every bucket', () => {
    const r = report({ since: Date.UTC(2026, 0, 1), until: Date.UTC(2026, 0, 3) - 1 });
    expect(r.flows).toEqual([]);
    expect(r.overall).toMatchObject({ runs: 0, successRate: null, timeToRemediate: { count: 0, p50Ms: null, p90Ms: null }, pagesAvoided: 0 });
    expect(r.series.map((b) => [b.start, b.runs, b.successRate])).toEqual([
      ['2026-01-01T00:00:00.000Z', 0, null],
      ['2026-01-02T00:00:00.000Z', 0, null],
    ]);
  });

  it('per-flow series for the CSV', () => {
    const s: OutcomeScope = { ...OUTCOMES_RANGE, bucket: 'day', flowIds: ALPHA };
    const byFlow = outcomeSeriesByFlow(outcomesRepo.rows(store.db, s), s);
    expect(byFlow.map((f) => [f.flowId, f.series.map((b) => b.runs)])).toEqual([
      ['restart', [3, 5]],
      ['disk', [2, 0]],
    ]);
  });
});
