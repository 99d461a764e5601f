import { useState } from 'react';
import type { FailingStep, FlowOutcome } from '../../../shared/outcomes.js';
import { hrefFor } from '../router.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { duration, percent, sortFlows, type SortKey } from './figures.js';

const COLUMNS: { key: SortKey; label: string; title: string }[] = [
  { key: 'flow', label: 'Flow', title: 'The flow (opens its runs)' },
  { key: 'alerts', label: 'Alerts', title: 'Firing alerts webhooks delivered to the flow' },
  { key: 'runs', label: 'Runs', title: 'Runs started in the range, whatever started them' },
  { key: 'successRate', label: 'Success', title: 'Succeeded of the runs that ended (no-action and cancelled runs are left out)' },
  { key: 'held', label: 'Held', title: 'Runs a guard rail holds, waiting for a person' },
  { key: 'p50', label: 'Remediate p50', title: 'Median time from the alert starting to a successful run ending' },
  { key: 'p90', label: 'p90', title: '90th percentile of that time' },
  { key: 'mttr', label: 'MTTR with / without', title: 'Mean time to resolve: alerts a successful run handled / similar alerts without one' },
  { key: 'pages', label: 'Pages avoided', title: 'Alerts resolved after a successful run nobody had to decide on' },
];

/** Outcomes per flow, sortable by any column; scrolls sideways on a phone. */
export function FlowOutcomesTable({ flows }: { flows: readonly FlowOutcome[] }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'runs', dir: 'desc' });
  const rows = sortFlows(flows, sort.key, sort.dir);
  const toggle = (key: SortKey) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'flow' ? 'asc' : 'desc' }));
  return (
    <div className="table-scroll">
      <table className="list dashboard-flows" data-testid="dashboard-flows">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                <button type="button" className="sort-button" title={c.title} onClick={() => toggle(c.key)}>
                  {c.label}
                  <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.flowId} data-testid={`dashboard-flow-${f.flowId}`}>
              <td>
                <a href={hrefFor({ page: 'runs', flowId: f.flowId })}>{f.flowName ?? f.flowId}</a>
                {f.flowName === null && <span className="muted small"> (deleted)</span>}
              </td>
              <td className="num">{f.alertsReceived}</td>
              <td className="num">{f.runs}</td>
              <td className="num" title={`${f.byStatus.succeeded} of ${f.ended} ended runs`}>
                {percent(f.successRate)}
              </td>
              <td className="num">{f.byStatus.held}</td>
              <td className="num">{duration(f.timeToRemediate.p50Ms)}</td>
              <td className="num">{duration(f.timeToRemediate.p90Ms)}</td>
              <td className="num">
                {duration(f.mttr.automated.meanMs)} / {duration(f.mttr.withoutAutomation.meanMs)}
              </td>
              <td className="num">{f.pagesAvoided}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The steps that failed most often, each with its last error and a link to that run. */
export function FailingSteps({ steps }: { steps: readonly FailingStep[] }) {
  if (steps.length === 0) return <div className="empty small">No step failed in this range.</div>;
  return (
    <ol className="failing-steps" data-testid="failing-steps">
      {steps.map((s) => (
        <li key={`${s.flowId} ${s.nodeId}`}>
          <div className="row failing-step-head">
            <strong className="failing-count">{s.count}×</strong>
            <a href={hrefFor({ page: 'flow', id: s.flowId })}>{s.flowName ?? s.flowId}</a>
            <span className="muted">›</span>
            <span className="mono">{s.nodeId}</span>
            <span className="muted small">({s.nodeType})</span>
            <span className="spacer" />
            <a className="small" href={hrefFor({ page: 'run', id: s.lastExecutionId })}>
              last run, <RelativeTime iso={s.lastAt} />
            </a>
          </div>
          {s.lastError && <pre className="failing-error">{s.lastError}</pre>}
        </li>
      ))}
    </ol>
  );
}
