import type { ReactNode } from 'react';
import { ArrowLeft, UserCheck } from 'lucide-react';
import { ACTIVE_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import type { Approval, ExecutionDetail } from '../../../shared/api-views.js';
import { hrefFor } from '../router.js';
import { AlertSummary } from './AlertSummary.js';
import { CalledBy } from './CallLinks.js';
import { CancelRunButton } from './CancelRunButton.js';
import { Deadline } from './Deadline.js';
import { RelativeTime } from './RelativeTime.js';
import { RunTestPayload } from './RunTestPayload.js';
import { StatusPill } from './StatusPill.js';
import { formatDuration } from '../../../nodes/format.js';
import { noActionText, resolvedCancelText } from './stopped.js';
import { elapsed, exactTime } from './time.js';
import { useNow } from './useNow.js';

/** Why a run ended badly or did nothing, in words an operator can act on; null when it acted and nothing went wrong. */
function endBanner(run: ExecutionDetail): { tone: 'error' | 'warning' | 'info'; title: string; text: string } | null {
  switch (run.status) {
    case 'no_action':
      return { tone: 'info', title: 'No action taken.', text: noActionText(run.flow, run.steps) };
    case 'failed':
      return { tone: 'error', title: 'This run failed.', text: run.error ?? 'A step failed and no path handled its error.' };
    case 'needs_attention':
      return {
        tone: 'warning',
        title: 'Needs attention:',
        text: `a step was interrupted and its outcome is unknown; it was not re-run — check the target and decide.${run.error ? ` (${run.error})` : ''}`,
      };
    case 'timed_out':
      return { tone: 'error', title: 'This run timed out.', text: run.error ?? 'It reached its deadline before finishing.' };
    case 'cancelled': {
      const resolved = resolvedCancelText(run.flow, run.steps, run.error);
      if (resolved) return { tone: 'info', title: 'Cancelled:', text: resolved };
      return { tone: 'info', title: 'Cancelled.', text: run.error ?? 'Someone cancelled this run.' };
    }
    default:
      return null;
  }
}

interface RunHeaderProps {
  run: ExecutionDetail;
  flowName: string;
  onChanged: () => void;
  onReview: (nodeId: string) => void;
  /** The guard rails' banner (a held run: why, Release, Cancel; after a release: who). */
  guard?: ReactNode;
}

/** The top of the run page: status, flow, alert, times, why it ended, and what waits for a person. */
export function RunHeader({ run, flowName, onChanged, onReview, guard }: RunHeaderProps) {
  const now = useNow();
  const active = ACTIVE_EXECUTION_STATUSES.includes(run.status);
  const took = elapsed(run.startedAt, run.finishedAt, now);
  const banner = endBanner(run);
  const pending = run.approvals.filter((a: Approval) => a.status === 'pending');

  return (
    <header className="run-header">
      <div className="row run-title-row">
        <a className="button ghost small" href={hrefFor({ page: 'runs', flowId: run.flowId })} aria-label={`Back to the runs of ${flowName}`}>
          <ArrowLeft size={16} aria-hidden="true" />
        </a>
        <StatusPill status={run.status} testId="run-status" />
        <h1 className="run-title">{flowName}</h1>
        <span className="muted small">
          <a href={hrefFor({ page: 'flow', id: run.flowId })} className="mono">
            {run.flowId}
          </a>{' '}
          · revision {run.flowRevision} · run <span className="mono">{run.id}</span>
        </span>
        <span className="spacer" />
        <RunTestPayload run={run} flowName={flowName} />
        {active && <span className="live-indicator" title="Refreshes every 2 seconds while the run is active">live</span>}
        {active && <CancelRunButton execution={run} flowName={flowName} onCancelled={onChanged} />}
      </div>
      <div className="run-header-grid">
        <AlertSummary alert={run.alert} resolvedAt={run.alertResolvedAt} />
        <dl className="facts">
          <div>
            <dt>Created</dt>
            <dd>
              <RelativeTime iso={run.createdAt} />
            </dd>
          </div>
          {run.targetKey !== undefined && (
            <div title="The flow's target key for this run: what its guard rails count">
              <dt>Target</dt>
              <dd className="mono" data-testid="run-target">
                {run.targetKey}
              </dd>
            </div>
          )}
          <div>
            <dt>Started</dt>
            <dd>
              <RelativeTime iso={run.startedAt} empty={run.status === 'held' ? 'not yet: held' : 'not yet'} />
            </dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              <RelativeTime iso={run.finishedAt} empty={active ? 'still going' : '—'} />
            </dd>
          </div>
          {run.alertResolvedAt && (
            <div className="alert-resolved-fact" data-testid="alert-resolved" title={`Alert resolved at ${exactTime(run.alertResolvedAt)}`}>
              <dt>Alert resolved</dt>
              <dd className="tone-ok">
                <RelativeTime iso={run.alertResolvedAt} />
              </dd>
            </div>
          )}
          <div>
            <dt>Duration</dt>
            <dd>{took === null ? '—' : `${formatDuration(took, 'ms')}${run.finishedAt ? '' : ' so far'}`}</dd>
          </div>
          {active && run.deadlineAt && (
            <div title="The run times out at its deadline; time spent waiting for approvals does not count and pushes it back">
              <dt>Deadline</dt>
              <dd>
                <RelativeTime iso={run.deadlineAt} />
              </dd>
            </div>
          )}
        </dl>
      </div>
      <CalledBy run={run} />
      {guard}
      {banner && (
        <div className={`banner ${banner.tone}`} role={banner.tone === 'info' ? undefined : 'alert'} data-testid="run-error">
          <strong>{banner.title}</strong> {banner.text}
        </div>
      )}
      {pending.map((a) => (
        <div key={a.id} className="banner warning row approval-banner" data-testid={`run-approval-${a.id}`}>
          <UserCheck size={16} aria-hidden="true" />
          <span>
            <strong>Waiting for approval:</strong> {a.message} <span className="muted">(<Deadline iso={a.deadlineAt} />)</span>
            {run.alertResolvedAt && (
              <strong className="tone-ok" data-testid="run-approval-resolved">
                {' '}
                The alert has resolved: check that this is still needed.
              </strong>
            )}
          </span>
          <span className="spacer" />
          <button type="button" className="small primary" onClick={() => onReview(a.nodeId)}>
            Review and decide
          </button>
        </div>
      ))}
    </header>
  );
}
