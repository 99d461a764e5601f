import { z } from 'zod';

/**
 * `GET /api/reports/outcomes`: what automation achieved over a time range, per flow and overall,
 * with a time series for charts. The exact definition of every figure is in docs/operations.md
 * ("Outcomes"); the runtime computes them in runtime/engine/reports/outcomes.ts. Browser-safe:
 * the editor's Dashboard types from these schemas.
 */

/** Time series buckets: whole UTC hours or whole UTC days. */
export const OUTCOME_BUCKETS = ['hour', 'day'] as const;
export type OutcomeBucket = (typeof OUTCOME_BUCKETS)[number];

/** The longest range one report covers. */
export const OUTCOMES_MAX_RANGE_DAYS = 90;
/** Hourly buckets are offered up to this many days (744 buckets). */
export const OUTCOMES_MAX_HOURLY_DAYS = 31;

const count = z.number().int().nonnegative();
/** Milliseconds, or null when there was nothing to measure. */
const ms = z.number().int().nonnegative().nullable();

const PercentilesSchema = z.object({
  /** How many durations were measured. */
  count,
  /** Nearest-rank percentiles of those durations. */
  p50Ms: ms,
  p90Ms: ms,
});

const MeanSchema = z.object({ count, meanMs: ms });

const OutcomeFiguresSchema = z.object({
  /** Distinct firing alerts (fingerprint + startsAt) webhooks delivered to the flow(s); overall one per alert. Resolved notifications are not counted. */
  alertsReceived: count,
  /** Runs created in the range, whatever started them. */
  runs: count,
  /** Runs by their status now. `failed` here is `failed` only; see `ended`. */
  byStatus: z.object({
    succeeded: count,
    failed: count,
    needsAttention: count,
    timedOut: count,
    noAction: count,
    cancelled: count,
    held: count,
    active: count,
  }),
  /** succeeded + failed + needs_attention + timed_out: the runs that tried a remediation and finished. */
  ended: count,
  /** succeeded / ended (0–1); null when no run ended. `no_action` and `cancelled` are in neither. */
  successRate: z.number().min(0).max(1).nullable(),
  /** Time from the alert's start (startsAt) to the end of a successful run, over successful alert runs. */
  timeToRemediate: PercentilesSchema,
  /** Mean time to resolve (resolved − startsAt): alerts a successful run handled vs. similar alerts without one. */
  mttr: z.object({ automated: MeanSchema, withoutAutomation: MeanSchema }),
  /** Alerts resolved at or after the end of a successful run in which no person decided an approval. */
  pagesAvoided: count,
  /** Approvals a person decided: time from the request to the decision. `timedOut`: nobody decided in time. */
  approvalWaits: PercentilesSchema.extend({ timedOut: count }),
});
export type OutcomeFigures = z.infer<typeof OutcomeFiguresSchema>;

const FlowOutcomeSchema = OutcomeFiguresSchema.extend({
  flowId: z.string(),
  /** The flow's current name; null when the flow was deleted since. */
  flowName: z.string().nullable(),
});
export type FlowOutcome = z.infer<typeof FlowOutcomeSchema>;

const FailingStepSchema = z.object({
  flowId: z.string(),
  flowName: z.string().nullable(),
  nodeId: z.string(),
  nodeType: z.string(),
  /** Steps of this node that ended `failed` (after their last retry) or `unknown`. */
  count,
  lastError: z.string().nullable(),
  lastAt: z.iso.datetime(),
  /** The run of the latest failure (to open it). */
  lastExecutionId: z.string(),
});
export type FailingStep = z.infer<typeof FailingStepSchema>;

const OutcomeBucketSchema = z.object({
  /** The bucket's start (UTC); it covers [start, start + 1 hour or day). */
  start: z.iso.datetime(),
  alertsReceived: count,
  runs: count,
  succeeded: count,
  /** failed + needs_attention + timed_out. */
  failed: count,
  noAction: count,
  cancelled: count,
  held: count,
  /** queued, running or waiting now. */
  active: count,
  successRate: z.number().min(0).max(1).nullable(),
  timeToRemediateP50Ms: ms,
  timeToRemediateP90Ms: ms,
  pagesAvoided: count,
});
export type OutcomeBucketRow = z.infer<typeof OutcomeBucketSchema>;

export const OutcomeReportSchema = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  bucket: z.enum(OUTCOME_BUCKETS),
  /** The flow filter, when one was given. */
  flowId: z.string().nullable(),
  overall: OutcomeFiguresSchema,
  /** Flows with any alert or run in the range, most runs first. */
  flows: z.array(FlowOutcomeSchema),
  /** At most 10, most failures first. */
  topFailingSteps: z.array(FailingStepSchema),
  /** Every bucket from since to until, oldest first, empty ones included. */
  series: z.array(OutcomeBucketSchema),
});
export type OutcomeReport = z.infer<typeof OutcomeReportSchema>;
