import { formatDuration } from '../../../nodes/format.js';
import type { FlowOutcome, OutcomeBucket, OutcomeBucketRow } from '../../../shared/outcomes.js';

/**
 * The Dashboard's pure parts: the ranges it offers, how figures read, the charts' data and the
 * flow table's order. Kept apart from React so they are tested as plain functions.
 */

export const RANGES = {
  '24h': { label: '24 h', long: 'the last 24 hours', bucket: 'hour', count: 24 },
  '7d': { label: '7 d', long: 'the last 7 days', bucket: 'day', count: 7 },
  '30d': { label: '30 d', long: 'the last 30 days', bucket: 'day', count: 30 },
} as const satisfies Record<string, { label: string; long: string; bucket: OutcomeBucket; count: number }>;
export type RangeKey = keyof typeof RANGES;

export const isRangeKey = (v: string | undefined): v is RangeKey => v !== undefined && Object.hasOwn(RANGES, v);

const BUCKET_MS: Record<OutcomeBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** The query for a range ending now: whole UTC hours or days, the current one included. */
export function rangeQuery(key: RangeKey, now: number): { since: string; until: string; bucket: OutcomeBucket } {
  const { bucket, count } = RANGES[key];
  const size = BUCKET_MS[bucket];
  const since = now - (now % size) - (count - 1) * size;
  return { since: new Date(since).toISOString(), until: new Date(now).toISOString(), bucket };
}

/** A duration as people say it ("4 min 30 s"), or a dash when there was nothing to measure. */
export const duration = (ms: number | null): string => (ms === null ? '–' : formatDuration(ms, 'ms'));

/** A rate 0–1 as a percentage ("62.5 %"), or a dash. */
export const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 1000) / 10} %`);

/** The outcomes stacked in the runs chart, bottom first, with the CSS colour each is drawn in. */
export const RUN_OUTCOMES = [
  { key: 'succeeded', label: 'Succeeded', color: '--success' },
  { key: 'failed', label: 'Failed', color: '--danger' },
  { key: 'held', label: 'Held by a limit', color: '--warning' },
  { key: 'noAction', label: 'No action needed', color: '--border-strong' },
  { key: 'cancelled', label: 'Cancelled', color: '--text-muted' },
  { key: 'active', label: 'In progress', color: '--accent' },
] as const satisfies readonly { key: keyof OutcomeBucketRow; label: string; color: string }[];

/** x values (seconds, as uPlot wants them) for the series. */
export const xs = (series: readonly OutcomeBucketRow[]): number[] => series.map((b) => Date.parse(b.start) / 1000);

/**
 * The runs chart's data: for each outcome its count per bucket (`raw`) and the running total of it
 * and the outcomes below it (`stacked`, what is drawn: each bar reaches the sum so far).
 */
export function stackedRuns(series: readonly OutcomeBucketRow[]): { raw: number[][]; stacked: number[][] } {
  const raw = RUN_OUTCOMES.map((o) => series.map((b) => b[o.key]));
  const stacked: number[][] = [];
  for (const [i, row] of raw.entries()) stacked.push(row.map((v, j) => v + (i > 0 ? stacked[i - 1]![j]! : 0)));
  return { raw, stacked };
}

/** Minutes (to one decimal) for the time-to-remediate chart; null where nothing was measured. */
export const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 6000) / 10);

export type SortKey = 'flow' | 'alerts' | 'runs' | 'successRate' | 'held' | 'p50' | 'p90' | 'mttr' | 'pages';

const sortValue: Record<SortKey, (f: FlowOutcome) => string | number | null> = {
  flow: (f) => (f.flowName ?? f.flowId).toLowerCase(),
  alerts: (f) => f.alertsReceived,
  runs: (f) => f.runs,
  successRate: (f) => f.successRate,
  held: (f) => f.byStatus.held,
  p50: (f) => f.timeToRemediate.p50Ms,
  p90: (f) => f.timeToRemediate.p90Ms,
  mttr: (f) => f.mttr.automated.meanMs,
  pages: (f) => f.pagesAvoided,
};

/** The flows sorted by a column; flows without a value (no run ended, nothing measured) go last either way. */
export function sortFlows(flows: readonly FlowOutcome[], key: SortKey, dir: 'asc' | 'desc'): FlowOutcome[] {
  const value = sortValue[key];
  return [...flows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const order = va < vb ? -1 : va > vb ? 1 : 0;
    return dir === 'asc' ? order : -order;
  });
}
