import { Download } from 'lucide-react';
import { useState } from 'react';
import type { OutcomeFigures, OutcomeReport } from '../../../shared/outcomes.js';
import { api, call } from '../api/client.js';
import { downloadText } from '../flows/download.js';
import { listFlows } from '../flows/flows-api.js';
import { navigate } from '../router.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { duration, percent, RANGES, rangeQuery, type RangeKey } from './figures.js';
import { FailingSteps, FlowOutcomesTable } from './FlowOutcomesTable.js';
import { OutcomeCharts } from './OutcomeCharts.js';
import '../styles/dashboard.css';

const REFRESH_MS = 60_000;

/**
 * What automation achieved (`#/dashboard?range=7d&flow=<id>`): headline figures, charts over
 * time, a table per flow, the steps that fail most, and a CSV export. Every figure's exact
 * definition is in docs/operations.md ("Outcomes"); the hints here say it in one line.
 */
export function DashboardPage({ range, flowId }: { range: RangeKey; flowId?: string }) {
  const [downloading, setDownloading] = useState(false);
  const report = usePolling(
    () => call(api.reports.outcomes.$get({ query: { ...rangeQuery(range, Date.now()), flowId } })) as Promise<OutcomeReport>,
    REFRESH_MS,
    [range, flowId],
  );
  const flows = usePolling(listFlows, 0, []);
  const go = (next: { range?: RangeKey; flowId?: string | undefined }) => navigate({ page: 'dashboard', range: next.range ?? range, flowId: 'flowId' in next ? next.flowId : flowId });
  const data = report.data;

  const downloadCsv = async () => {
    setDownloading(true);
    try {
      const q = rangeQuery(range, Date.now());
      const res = await api.reports.outcomes.$get({ query: { ...q, flowId, format: 'csv' } });
      if (!res.ok) await call(Promise.resolve(res));
      const stamp = (iso: string) => iso.slice(0, 16).replace(/[-:]/g, '');
      downloadText(`salve-outcomes-${stamp(q.since)}-${stamp(q.until)}.csv`, await res.text(), 'text/csv');
    } catch (error) {
      toast(`Download failed: ${(error as Error).message}`, 'error');
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="page dashboard-page">
      <div className="page-header">
        <h1>Dashboard</h1>
        <span className="muted small">What automation achieved in {RANGES[range].long}{flowId ? ' for one flow' : ''}. Times are UTC buckets shown in your time zone.</span>
      </div>
      <div className="dashboard-controls row">
        <fieldset className="segmented" aria-label="Range">
          {(Object.keys(RANGES) as RangeKey[]).map((key) => (
            <button key={key} type="button" aria-pressed={key === range} className={key === range ? 'selected' : ''} onClick={() => go({ range: key })}>
              {RANGES[key].label}
            </button>
          ))}
        </fieldset>
        <label className="row dashboard-flow-filter">
          <span className="muted small">Flow</span>
          <select value={flowId ?? ''} onChange={(e) => go({ flowId: e.target.value || undefined })} data-testid="dashboard-flow">
            <option value="">All flows</option>
            {(flows.data?.items ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <button type="button" onClick={downloadCsv} disabled={downloading || !data}>
          <Download size={15} aria-hidden="true" /> Download CSV
        </button>
      </div>

      {report.error && <ApiErrorBanner error={report.error} doing="Loading the outcomes" onRetry={report.refresh} />}
      {!data ? (
        !report.error && <div className="card empty">Loading the outcomes…</div>
      ) : data.overall.runs === 0 && data.overall.alertsReceived === 0 ? (
        <EmptyDashboard range={range} filtered={Boolean(flowId)} />
      ) : (
        <>
          <Headline figures={data.overall} />
          <OutcomeCharts series={data.series} bucket={data.bucket} />
          <div className="dashboard-lower">
            <section className="card" aria-labelledby="dash-flows">
              <h2 id="dash-flows" className="card-title">
                Per flow
              </h2>
              <FlowOutcomesTable flows={data.flows} />
            </section>
            <section className="card" aria-labelledby="dash-failing">
              <h2 id="dash-failing" className="card-title">
                Steps that fail most
              </h2>
              <p className="muted small card-hint">Steps that ended failed after their last retry, or whose outcome is unknown (interrupted).</p>
              <FailingSteps steps={data.topFailingSteps} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}

/** The four figures an on-call lead asks for first, each with how it is counted. */
function Headline({ figures: f }: { figures: OutcomeFigures }) {
  const { automated, withoutAutomation } = f.mttr;
  const faster = automated.meanMs !== null && withoutAutomation.meanMs !== null && withoutAutomation.meanMs > 0 ? 1 - automated.meanMs / withoutAutomation.meanMs : null;
  return (
    <div className="dashboard-headline" data-testid="dashboard-headline">
      <Figure title="Pages avoided" value={String(f.pagesAvoided)} testId="figure-pages-avoided">
        Alerts that resolved after a successful run, with nobody asked to approve.
      </Figure>
      <Figure title="Success rate" value={percent(f.successRate)} testId="figure-success-rate">
        {f.byStatus.succeeded} of {f.ended} finished runs succeeded. Not counted: {f.byStatus.noAction} with nothing to do, {f.byStatus.cancelled} cancelled
        {f.byStatus.held ? `, ${f.byStatus.held} held by a limit` : ''}.
      </Figure>
      <Figure title="Time to remediate (median)" value={duration(f.timeToRemediate.p50Ms)} testId="figure-ttr">
        From the alert starting to the fix finishing, over {f.timeToRemediate.count} successful run{f.timeToRemediate.count === 1 ? '' : 's'}. p90:{' '}
        {duration(f.timeToRemediate.p90Ms)}.
      </Figure>
      <Figure
        title="MTTR with vs without automation"
        value={
          <span className="figure-pairs">
            <span className="figure-unit">with</span>
            <span>{duration(automated.meanMs)}</span>
            <span className="figure-unit">without</span>
            <span>{duration(withoutAutomation.meanMs)}</span>
          </span>
        }
        testId="figure-mttr"
      >
        Mean time until resolved: {automated.count} alert{automated.count === 1 ? '' : 's'} fixed by a run vs {withoutAutomation.count} similar (same source and alert
        name) without one{faster !== null && faster > 0 ? `: ${Math.round(faster * 100)} % faster` : ''}.
      </Figure>
      <Figure title="Approval wait (median)" value={duration(f.approvalWaits.p50Ms)} testId="figure-approval-wait" minor>
        {f.approvalWaits.count} decided, p90 {duration(f.approvalWaits.p90Ms)}
        {f.approvalWaits.timedOut ? `; ${f.approvalWaits.timedOut} timed out with nobody deciding` : ''}.
      </Figure>
      <Figure title="Alerts / runs" value={`${f.alertsReceived} / ${f.runs}`} testId="figure-volume" minor>
        Firing alerts received, and runs started (by alerts, schedules or people).
      </Figure>
    </div>
  );
}

function Figure({ title, value, children, testId, minor }: { title: string; value: React.ReactNode; children: React.ReactNode; testId: string; minor?: boolean }) {
  return (
    <div className={minor ? 'card figure minor' : 'card figure'} data-testid={testId}>
      <div className="figure-title">{title}</div>
      <div className="figure-value">{value}</div>
      <p className="figure-hint">{children}</p>
    </div>
  );
}

function EmptyDashboard({ range, filtered }: { range: RangeKey; filtered: boolean }) {
  return (
    <div className="card dashboard-empty" data-testid="dashboard-empty">
      <h2>No alerts or runs in {RANGES[range].long}{filtered ? ' for this flow' : ''}</h2>
      <p>
        When webhooks deliver alerts to your flows and runs start, this page shows how many alerts arrived, how many runs succeeded, how long remediation took from
        the alert starting, how often a fix made paging a person unnecessary, how long approvals waited, and which steps fail most.
      </p>
      <p className="muted small">Try a longer range, or all flows. Runs and deliveries are listed on the Runs and Events pages as they happen.</p>
    </div>
  );
}
