import { useState } from 'react';
import { X } from 'lucide-react';
import { api, call } from '../api/client.js';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../../../shared/statuses.js';
import { navigate } from '../router.js';
import { usePolling } from '../ui/usePolling.js';
import { LoadOlder } from '../ui/LoadOlder.js';
import { useLivePages } from '../ui/useLivePages.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { RunRow } from '../runs/RunRow.js';
import { statusLabel } from '../runs/StatusPill.js';
import { HeldFilter } from '../limits/HeldFilter.js';
import '../styles/runs.css';

const PAGE_SIZE = 50;
const LIVE_MS = 3000;

/**
 * Every run, newest first (`#/runs`, or one flow's with `#/runs?flow=<id>`). The newest page
 * refreshes every few seconds; "Load older" appends pages that stay as loaded.
 */
export function RunsPage({ flowId }: { flowId?: string }) {
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const pages = useLivePages(
    `${flowId ?? ''}|${status}`,
    (before) => call(api.executions.$get({ query: { flowId, status: status || undefined, limit: PAGE_SIZE, before } })),
    LIVE_MS,
  );
  const { newest, rows } = pages;
  // Names only: a failure here just leaves the ids showing.
  const flows = usePolling(() => call(api.flows.$get()), 0, []);
  const flowNames = new Map((flows.data?.items ?? []).map((f) => [f.id, f.name]));

  const flowName = flowId ? (flowNames.get(flowId) ?? flowId) : undefined;

  return (
    <div className="page runs-page">
      <div className="page-header">
        <h1>Runs</h1>
        {flowId && (
          <span className="chip" data-testid="flow-filter">
            Flow: <strong>{flowName}</strong>
            <button type="button" className="ghost icon small" aria-label={`Remove the filter for flow ${flowName}`} onClick={() => navigate({ page: 'runs' })}>
              <X size={14} aria-hidden="true" />
            </button>
          </span>
        )}
        <span className="spacer" />
        <HeldFilter flowId={flowId} active={status === 'held'} onToggle={(on) => setStatus(on ? 'held' : '')} />
        <label className="row status-filter">
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as ExecutionStatus | '')} data-testid="status-filter">
            <option value="">All statuses</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <span
          className={`live-indicator${newest.error ? ' stale' : ''}`}
          title={newest.error ? 'The last refresh failed; retrying every 3 seconds' : 'Refreshes every 3 seconds'}
          data-testid="live-indicator"
        >
          {newest.error ? 'reconnecting' : 'live'}
        </span>
      </div>

      {newest.error && <ApiErrorBanner error={newest.error} doing="Loading runs" onRetry={newest.refresh} />}

      {/* Before the first answer: "loading", or nothing under the error banner (never an empty table). */}
      {!newest.data ? (
        !newest.error && <div className="card empty">Loading runs…</div>
      ) : (
        <div className="card">
          {rows.length === 0 ? (
            <EmptyRuns flowName={flowName} status={status} />
          ) : (
            <table className="list runs-table stacked-list">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Flow</th>
                  <th scope="col">Alert</th>
                  <th scope="col">Created</th>
                  <th scope="col">Started</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <RunRow key={r.id} run={r} flowName={flowNames.get(r.flowId)} showFlowFilter={!flowId} />
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}

      {pages.olderError && <ApiErrorBanner error={pages.olderError} doing="Loading older runs" onRetry={pages.loadOlder} />}
      {rows.length > 0 && (
        <LoadOlder pages={pages} allLoaded={`That is every run${flowId ? ' of this flow' : ''}${status ? ` with status ${statusLabel(status)}` : ''}.`} />
      )}
    </div>
  );
}

function EmptyRuns({ flowName, status }: { flowName?: string; status: ExecutionStatus | '' }) {
  if (status) {
    if (status === 'held') {
      return (
        <div className="empty" data-testid="no-held-runs">
          No run{flowName ? ` of ${flowName}` : ''} is held: no guard rail is stopping anything now. Choose "All statuses" to see the others.
        </div>
      );
    }
    return (
      <div className="empty">
        {status === 'no_action' ? 'No run ended without action' : `No ${statusLabel(status)} runs`}
        {flowName ? ` of ${flowName}` : ''}. Choose "All statuses" to see the others.
      </div>
    );
  }
  return (
    <div className="empty">
      <p>No runs{flowName ? ` of ${flowName}` : ''} yet.</p>
      <p className="small">
        A run starts when an alert reaches an enabled flow: the monitoring system posts to <code>/hooks/&lt;path&gt;</code> of
        the flow's source node, and each matching alert becomes one run here.
      </p>
    </div>
  );
}
