import { Filter } from 'lucide-react';
import { ACTIVE_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import type { Execution } from '../../../shared/api-views.js';
import { hrefFor, navigate } from '../router.js';
import { keyLabels } from './alert-labels.js';
import { AlertState, LabelChips, SeverityPill } from './AlertSummary.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusPill } from './StatusPill.js';
import { formatDuration } from '../../../nodes/format.js';
import { elapsed } from './time.js';
import { useNow } from './useNow.js';
import { heldBy, heldReason } from '../limits/limits.js';
import { ReasonText } from '../limits/ReasonText.js';

/** Run ids are long and differ at the end (time first, then random): show the tail. */
export function shortRunId(id: string): string {
  const [prefix, rest] = id.includes('_') ? [id.slice(0, id.indexOf('_') + 1), id.slice(id.indexOf('_') + 1)] : ['', id];
  return rest.length > 8 ? `${prefix}…${rest.slice(-8)}` : id;
}

/**
 * One execution in the runs table. The first cell is a real link (keyboard and middle-click);
 * a click anywhere else on the row opens the run too.
 */
export function RunRow({ run, flowName, showFlowFilter }: { run: Execution; flowName?: string; showFlowFilter: boolean }) {
  const now = useNow();
  const active = ACTIVE_EXECUTION_STATUSES.includes(run.status);
  const took = elapsed(run.startedAt, run.finishedAt, now);
  const open = (e: React.MouseEvent) => {
    if ((e.target as HTMLElement).closest('a, button')) return;
    navigate({ page: 'run', id: run.id });
  };
  return (
    <tr className="clickable" data-testid={`run-row-${run.id}`} onClick={open}>
      <td>
        <a className="run-link" href={hrefFor({ page: 'run', id: run.id })} title={run.id}>
          <StatusPill status={run.status} />
          <span className="mono small">{shortRunId(run.id)}</span>
        </a>
      </td>
      <td className="flow-cell">
        <div className="row">
          <a href={hrefFor({ page: 'flow', id: run.flowId })} title={`${flowName ?? run.flowId}: open in the editor`}>
            {flowName ?? run.flowId}
          </a>
          {showFlowFilter && (
            <a
              className="button ghost icon small"
              href={hrefFor({ page: 'runs', flowId: run.flowId })}
              aria-label={`Show only runs of ${flowName ?? run.flowId}`}
              title="Only this flow's runs"
            >
              <Filter size={13} aria-hidden="true" />
            </a>
          )}
        </div>
        {flowName && flowName !== run.flowId && <div className="mono small muted">{run.flowId}</div>}
      </td>
      <td className="alert-cell stack-wide">
        <div className="row">
          <strong>{run.alert?.name ?? '—'}</strong>
          {run.alert && <SeverityPill severity={run.alert.severity} />}
          {run.alert && (run.alertResolvedAt || run.alert.status === 'resolved') && <AlertState alert={run.alert} resolvedAt={run.alertResolvedAt} />}
        </div>
        <LabelChips labels={keyLabels(run.alert)} />
        {run.status === 'held' && (
          <div className="held-line small" data-testid="run-held-reason">
            <strong>{run.held ? heldBy(run.held.limit) : 'Held by a guard rail'}</strong>
            {run.held ? (
              <>
                : <ReasonText text={heldReason(run.held)} />
              </>
            ) : null}
          </div>
        )}
      </td>
      {/* data-label names the column where a narrow screen shows the row as a card (runs.css). */}
      <td data-label="Created">
        <RelativeTime iso={run.createdAt} />
      </td>
      <td data-label="Started">
        <RelativeTime iso={run.startedAt} empty={active ? 'not yet' : run.status === 'held' ? 'not yet: held' : '—'} />
      </td>
      <td data-label="Finished">
        <RelativeTime iso={run.finishedAt} empty={active ? '…' : '—'} />
      </td>
      <td className="duration-cell" data-label="Duration">{took === null ? <span className="muted">—</span> : `${formatDuration(took, 'ms')}${run.finishedAt ? '' : ' so far'}`}</td>
    </tr>
  );
}
