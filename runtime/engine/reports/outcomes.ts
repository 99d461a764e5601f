import type { EventAlert, EventMatch } from '../../../shared/event-log.js';
import type { FailingStep, FlowOutcome, OutcomeBucket, OutcomeBucketRow, OutcomeFigures, OutcomeReport } from '../../../shared/outcomes.js';
import type { OutcomeApprovalRow, OutcomeRows, OutcomeRunRow } from '../../store/outcomes-repo.js';

/**
 * The outcomes report, computed from the rows outcomesRepo.rows read: pure functions, no I/O.
 * Every figure's definition is in docs/operations.md ("Outcomes"); the short version is beside
 * each field in shared/outcomes.ts.
 */

export interface OutcomeScope {
  since: number;
  /** Inclusive. */
  until: number;
  bucket: OutcomeBucket;
  flowId?: string;
  /** The flows the caller may see; undefined: all. */
  flowIds?: readonly string[];
}

const BUCKET_MS: Record<OutcomeBucket, number> = { hour: 3_600_000, day: 86_400_000 };
const TOP_FAILING_STEPS = 10;

/** A run with what the report derives from it. */
interface Run {
  row: OutcomeRunRow;
  /** Started by a webhook delivery (not a schedule, a person or a `flow.call`). */
  fromAlert: boolean;
  /** The incident: the same alert (fingerprint) firing since the same time; the run id when it has no fingerprint. */
  incident: string;
  /** Source type and alert name: what "similar" compares. */
  kind: string | null;
  /** Alert start → end of a successful run. */
  remediateMs: number | null;
  /** Alert start → resolved, for a successful alert run whose alert resolved. */
  resolveMs: number | null;
  pageAvoided: boolean;
}

/** One firing alert a webhook delivered to one flow. */
interface Received {
  flowId: string;
  /** The incident (fingerprint and startsAt), or `<event id>#<alert index>` for an alert without a fingerprint. */
  alert: string;
  receivedAt: number;
}

/** A resolved alert the event log holds, for one flow. */
interface Resolved {
  flowId: string;
  incident: string;
  kind: string;
  resolveMs: number;
}

const incidentOf = (fingerprint: string, startsAt: string | null, fallback: string) => (fingerprint ? `${fingerprint}\u0000${startsAt ?? ''}` : fallback);
const kindOf = (source: string | null, name: string | null) => (source === null || name === null ? null : `${source}\u0000${name}`);
const parseTime = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};
/** Webhook paths are single slugs; schedules and manual runs record paths with slashes. */
const isHookPath = (path: string) => !path.includes('/');

/** The nearest-rank percentile (0 < p ≤ 1) of `values`; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length));

/** A person decided (or voted on) an approval of the run. */
const personDecided = (a: OutcomeApprovalRow) => a.decisions > 0 || a.status === 'approved' || a.status === 'rejected';

function deriveRun(row: OutcomeRunRow, approvals: readonly OutcomeApprovalRow[]): Run {
  const fromAlert =
    row.callDepth === 0 && row.startedBy === null && (row.eventPath !== null ? isHookPath(row.eventPath) : row.alertSource !== 'schedule');
  const startsAt = parseTime(row.alertStartsAt);
  const ok = fromAlert && row.status === 'succeeded' && startsAt !== null;
  const remediateMs = ok && row.finishedAt !== null ? Math.max(0, row.finishedAt - startsAt) : null;
  const resolveMs = ok && row.alertResolvedAt !== null ? Math.max(0, row.alertResolvedAt - startsAt) : null;
  const pageAvoided =
    ok && row.finishedAt !== null && row.alertResolvedAt !== null && row.alertResolvedAt >= row.finishedAt && !approvals.some(personDecided);
  return {
    row,
    fromAlert,
    incident: incidentOf(row.fingerprint, row.alertStartsAt, row.id),
    kind: kindOf(row.alertSource, row.alertName),
    remediateMs,
    resolveMs,
    pageAvoided,
  };
}

const parseList = <T>(json: string): T[] => {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
};

/** Everything the figures are computed from, already narrowed to the caller's scope. */
interface Facts {
  runs: Run[];
  received: Received[];
  resolved: Resolved[];
  approvalsByRun: Map<string, OutcomeApprovalRow[]>;
}

function factsOf(rows: OutcomeRows, scope: OutcomeScope): Facts {
  const visible = scope.flowIds && new Set(scope.flowIds);
  const inScope = (flowId: string) => (scope.flowId === undefined || flowId === scope.flowId) && (!visible || visible.has(flowId));
  const approvalsByRun = new Map<string, OutcomeApprovalRow[]>();
  for (const a of rows.approvals) approvalsByRun.set(a.executionId, [...(approvalsByRun.get(a.executionId) ?? []), a]);
  const runs = rows.runs.filter((r) => inScope(r.flowId)).map((r) => deriveRun(r, approvalsByRun.get(r.id) ?? []));
  const received: Received[] = [];
  const resolved: Resolved[] = [];
  for (const event of rows.events) {
    if (!isHookPath(event.path)) continue;
    const alerts = parseList<EventAlert>(event.alerts);
    for (const m of parseList<EventMatch>(event.matches)) {
      const alert = alerts[m.alertIndex];
      if (!alert || !inScope(m.flowId)) continue;
      // The same alert delivered again (a re-sent group, a second Alertmanager) is one alert.
      const identity = incidentOf(alert.fingerprint, alert.startsAt, `${event.id}#${m.alertIndex}`);
      if (alert.status === 'firing') received.push({ flowId: m.flowId, alert: identity, receivedAt: event.receivedAt });
      const startsAt = parseTime(alert.startsAt);
      const kind = kindOf(alert.source, alert.name);
      if (alert.status !== 'resolved' || startsAt === null || kind === null || !alert.fingerprint) continue;
      const resolvedAt = parseTime(alert.endsAt) ?? event.receivedAt;
      resolved.push({ flowId: m.flowId, incident: incidentOf(alert.fingerprint, alert.startsAt, ''), kind, resolveMs: Math.max(0, resolvedAt - startsAt) });
    }
  }
  return { runs, received, resolved, approvalsByRun };
}

/** One value per distinct key (the first seen): an alert two flows handled counts once overall. */
function distinctBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function figuresOf(f: Facts): OutcomeFigures {
  const by = (s: OutcomeRunRow['status']) => f.runs.filter((r) => r.row.status === s).length;
  const byStatus = {
    succeeded: by('succeeded'),
    failed: by('failed'),
    needsAttention: by('needs_attention'),
    timedOut: by('timed_out'),
    noAction: by('no_action'),
    cancelled: by('cancelled'),
    held: by('held'),
    active: by('queued') + by('running') + by('waiting'),
  };
  const ended = byStatus.succeeded + byStatus.failed + byStatus.needsAttention + byStatus.timedOut;
  const remediate = f.runs.flatMap((r) => (r.remediateMs === null ? [] : [r.remediateMs]));
  const automated = distinctBy(
    f.runs.filter((r) => r.resolveMs !== null),
    (r) => r.incident,
  );
  const handled = new Set(f.runs.filter((r) => r.fromAlert && r.row.status === 'succeeded').map((r) => r.incident));
  const similarKinds = new Set(automated.map((r) => r.kind).filter((k) => k !== null));
  const without = distinctBy(
    f.resolved.filter((r) => similarKinds.has(r.kind) && !handled.has(r.incident)),
    (r) => r.incident,
  );
  const approvals = f.runs.flatMap((r) => f.approvalsByRun.get(r.row.id) ?? []);
  const waits = approvals.filter((a) => (a.status === 'approved' || a.status === 'rejected') && a.decidedAt !== null).map((a) => Math.max(0, a.decidedAt! - a.createdAt));
  return {
    alertsReceived: new Set(f.received.map((r) => r.alert)).size,
    runs: f.runs.length,
    byStatus,
    ended,
    successRate: ended === 0 ? null : byStatus.succeeded / ended,
    timeToRemediate: { count: remediate.length, p50Ms: percentile(remediate, 0.5), p90Ms: percentile(remediate, 0.9) },
    mttr: {
      automated: { count: automated.length, meanMs: mean(automated.map((r) => r.resolveMs!)) },
      withoutAutomation: { count: without.length, meanMs: mean(without.map((r) => r.resolveMs)) },
    },
    pagesAvoided: new Set(f.runs.filter((r) => r.pageAvoided).map((r) => r.incident)).size,
    approvalWaits: { count: waits.length, p50Ms: percentile(waits, 0.5), p90Ms: percentile(waits, 0.9), timedOut: approvals.filter((a) => a.status === 'timeout').length },
  };
}

const forFlow = (f: Facts, flowId: string): Facts => ({
  runs: f.runs.filter((r) => r.row.flowId === flowId),
  received: f.received.filter((r) => r.flowId === flowId),
  resolved: f.resolved.filter((r) => r.flowId === flowId),
  approvalsByRun: f.approvalsByRun,
});

/** The starts of every bucket from `since` to `until` (UTC hours or days). */
export function bucketStarts(since: number, until: number, bucket: OutcomeBucket): number[] {
  const size = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let t = since - (since % size); t <= until; t += size) starts.push(t);
  return starts;
}

function seriesOf(f: Facts, scope: OutcomeScope): OutcomeBucketRow[] {
  const size = BUCKET_MS[scope.bucket];
  const starts = bucketStarts(scope.since, scope.until, scope.bucket);
  const first = starts[0]!;
  const runsIn: Run[][] = starts.map(() => []);
  const alertsIn: Set<string>[] = starts.map(() => new Set());
  for (const r of f.runs) runsIn[Math.floor((r.row.createdAt - first) / size)]?.push(r);
  for (const a of f.received) alertsIn[Math.floor((a.receivedAt - first) / size)]?.add(a.alert);
  return starts.map((start, i) => {
    const runs = runsIn[i]!;
    const n = (...s: OutcomeRunRow['status'][]) => runs.filter((r) => s.includes(r.row.status)).length;
    const succeeded = n('succeeded');
    const failed = n('failed', 'needs_attention', 'timed_out');
    const remediate = runs.flatMap((r) => (r.remediateMs === null ? [] : [r.remediateMs]));
    return {
      start: new Date(start).toISOString(),
      alertsReceived: alertsIn[i]!.size,
      runs: runs.length,
      succeeded,
      failed,
      noAction: n('no_action'),
      cancelled: n('cancelled'),
      held: n('held'),
      active: n('queued', 'running', 'waiting'),
      successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
      timeToRemediateP50Ms: percentile(remediate, 0.5),
      timeToRemediateP90Ms: percentile(remediate, 0.9),
      pagesAvoided: new Set(runs.filter((r) => r.pageAvoided).map((r) => r.incident)).size,
    };
  });
}

function failingStepsOf(rows: OutcomeRows, f: Facts): FailingStep[] {
  const flowOf = new Map(f.runs.map((r) => [r.row.id, r.row.flowId]));
  const groups = new Map<string, FailingStep & { at: number }>();
  for (const s of rows.failedSteps) {
    const flowId = flowOf.get(s.executionId);
    if (flowId === undefined) continue;
    const key = JSON.stringify([flowId, s.nodeId, s.nodeType]);
    const g = groups.get(key);
    if (!g) {
      const step = { flowId, flowName: rows.flowNames.get(flowId) ?? null, nodeId: s.nodeId, nodeType: s.nodeType, count: 1 };
      groups.set(key, { ...step, lastError: s.error, lastAt: new Date(s.at).toISOString(), lastExecutionId: s.executionId, at: s.at });
    } else {
      g.count += 1;
      if (s.at >= g.at) Object.assign(g, { lastError: s.error, lastAt: new Date(s.at).toISOString(), lastExecutionId: s.executionId, at: s.at });
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.at - a.at)
    .slice(0, TOP_FAILING_STEPS)
    .map(({ at: _at, ...step }) => step);
}

/** The flows with any run or received alert in scope, most runs first (then by id). */
function flowIdsOf(f: Facts): string[] {
  const runs = new Map<string, number>();
  for (const r of f.received) runs.set(r.flowId, runs.get(r.flowId) ?? 0);
  for (const r of f.runs) runs.set(r.row.flowId, (runs.get(r.row.flowId) ?? 0) + 1);
  return [...runs.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
}

/** The whole report for `scope` from the rows read for it. */
export function outcomeReport(rows: OutcomeRows, scope: OutcomeScope): OutcomeReport {
  const f = factsOf(rows, scope);
  const flows: FlowOutcome[] = flowIdsOf(f).map((flowId) => ({ flowId, flowName: rows.flowNames.get(flowId) ?? null, ...figuresOf(forFlow(f, flowId)) }));
  return {
    since: new Date(scope.since).toISOString(),
    until: new Date(scope.until).toISOString(),
    bucket: scope.bucket,
    flowId: scope.flowId ?? null,
    overall: figuresOf(f),
    flows,
    topFailingSteps: failingStepsOf(rows, f),
    series: seriesOf(f, scope),
  };
}

/** Per flow (as in the report's `flows`), its time series: what the CSV export writes, one row per flow and bucket. */
export function outcomeSeriesByFlow(rows: OutcomeRows, scope: OutcomeScope): { flowId: string; flowName: string | null; series: OutcomeBucketRow[] }[] {
  const f = factsOf(rows, scope);
  return flowIdsOf(f).map((flowId) => ({ flowId, flowName: rows.flowNames.get(flowId) ?? null, series: seriesOf(forFlow(f, flowId), scope) }));
}
