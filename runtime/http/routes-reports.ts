import { Hono } from 'hono';
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import { OUTCOME_BUCKETS, OUTCOMES_MAX_HOURLY_DAYS, OUTCOMES_MAX_RANGE_DAYS, type OutcomeBucket, type OutcomeReport } from '../../shared/outcomes.js';
import type { Engine } from '../engine/engine.js';
import { csvText } from '../engine/reports/csv.js';
import { outcomeReport, outcomeSeriesByFlow, type OutcomeScope } from '../engine/reports/outcomes.js';
import type { Scrubber } from '../engine/secrets/scrub.js';
import type { AuthEnv } from './auth.js';
import { validQuery } from './validated.js';
import { visibleFlowIds } from './visibility.js';

const DAY_MS = 86_400_000;
/** Without `since`: the last 7 days. Without `bucket`: hours up to 2 days, days beyond. */
const DEFAULT_RANGE_MS = 7 * DAY_MS;
const HOURLY_DEFAULT_UP_TO_MS = 2 * DAY_MS;

const time = (name: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z` })
    .transform((v) => Date.parse(v))
    .optional();

export const OutcomesQuery = z.strictObject({
  /** Start of the range (default: 7 days before `until`). */
  since: time('since'),
  /** End of the range, inclusive (default: now). */
  until: time('until'),
  flowId: z.string().min(1).max(200).optional(),
  bucket: z.enum(OUTCOME_BUCKETS, { error: `bucket must be one of ${OUTCOME_BUCKETS.join(', ')}` }).optional(),
  /** `csv`: one row per flow and bucket (text/csv) instead of the JSON report. */
  format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional(),
});

const refuse = (field: string, message: string) => new ValidationError('invalid query parameters', [{ path: ['query', field], message }]);

/** The range and bucket a query asks for, with defaults; 422 naming the field when it is not one the report covers. */
function scopeOf(q: z.output<typeof OutcomesQuery>, now: number): Omit<OutcomeScope, 'flowIds'> {
  const until = q.until ?? now;
  const since = q.since ?? until - DEFAULT_RANGE_MS;
  if (since > until) throw refuse(q.until === undefined ? 'since' : 'until', q.until === undefined ? 'since must not be in the future' : 'until must not be before since');
  if (until - since > OUTCOMES_MAX_RANGE_DAYS * DAY_MS) throw refuse('since', `the range from since to until must be at most ${OUTCOMES_MAX_RANGE_DAYS} days`);
  const bucket: OutcomeBucket = q.bucket ?? (until - since <= HOURLY_DEFAULT_UP_TO_MS ? 'hour' : 'day');
  if (bucket === 'hour' && until - since > OUTCOMES_MAX_HOURLY_DAYS * DAY_MS) {
    throw refuse('bucket', `bucket=hour covers at most ${OUTCOMES_MAX_HOURLY_DAYS} days; use bucket=day`);
  }
  return { since, until, bucket, ...(q.flowId !== undefined ? { flowId: q.flowId } : {}) };
}

const CSV_HEADER = [
  'bucket_start',
  'flow_id',
  'flow_name',
  'alerts_received',
  'runs',
  'succeeded',
  'failed',
  'no_action',
  'cancelled',
  'held',
  'active',
  'success_rate',
  'time_to_remediate_p50_seconds',
  'time_to_remediate_p90_seconds',
  'pages_avoided',
] as const;

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
const fileTime = (t: number) => new Date(t).toISOString().slice(0, 16).replace(/[-:]/g, '');

/** `GET /api/reports/outcomes`: what automation achieved (JSON, or CSV with `format=csv`). */
export function reportRoutes(engine: Engine, scrubber: Scrubber) {
  return new Hono<AuthEnv>().get('/outcomes', validQuery(OutcomesQuery), async (c) => {
    const q = c.req.valid('query');
    const range = scopeOf(q, engine.now());
    // The caller's flows and their rows in one read: the same committed state.
    const { scope, rows } = await engine.store.read(async (tx) => {
      const scope: OutcomeScope = { ...range, flowIds: await visibleFlowIds(c, tx, 'runs:read') };
      return { scope, rows: await tx.outcomes.rows(scope) };
    });
    if (q.format !== 'csv') return c.json(outcomeReport(rows, scope) satisfies OutcomeReport);
    const lines = outcomeSeriesByFlow(rows, scope).flatMap(({ flowId, flowName, series }) =>
      series.map((b) => [
        b.start,
        flowId,
        flowName,
        b.alertsReceived,
        b.runs,
        b.succeeded,
        b.failed,
        b.noAction,
        b.cancelled,
        b.held,
        b.active,
        b.successRate === null ? null : Math.round(b.successRate * 10_000) / 10_000,
        seconds(b.timeToRemediateP50Ms),
        seconds(b.timeToRemediateP90Ms),
        b.pagesAvoided,
      ]),
    );
    // Step errors were scrubbed when stored; this is the same last line of defence JSON answers get.
    return c.body(scrubber.text(csvText(CSV_HEADER, lines)), 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="salve-outcomes-${fileTime(scope.since)}-${fileTime(scope.until)}.csv"`,
      'cache-control': 'no-store',
    });
  });
}
