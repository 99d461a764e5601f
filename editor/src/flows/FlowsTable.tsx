import { Fragment } from 'react';
import { Copy, Download, FileCode, History, PencilLine, Trash2, X } from 'lucide-react';
import { ApiError } from '../api/client.js';
import type { FlowSummary } from '../../../shared/api-views.js';
import { EnabledSwitch } from './EnabledSwitch.js';
import { IssueList } from './IssueList.js';
import { formatRelative } from '../runs/time.js';
import { RouteLink } from './RouteLink.js';
import { BreakerBadge } from '../limits/BreakerBadge.js';

/** A refused action, shown under the flow's row until dismissed or retried. */
export interface RowError {
  what: string;
  error: ApiError | Error;
}

interface Props {
  flows: readonly FlowSummary[];
  /** A team id as the Team column shows it (its name). */
  teamName: (team: string) => string;
  /** Whether the caller may change flows of `team`: Duplicate and Delete are offered only then. */
  mayWrite: (team: string) => boolean;
  /** Whether the caller may enable and disable flows of `team`: the switch is locked otherwise. */
  mayOperate: (team: string) => boolean;
  /** Ids whose enable/disable is in flight. */
  pending: ReadonlySet<string>;
  errors: Readonly<Record<string, RowError>>;
  now: number;
  onToggle: (flow: FlowSummary, enabled: boolean) => void;
  onDuplicate: (flow: FlowSummary) => void;
  onExport: (flow: FlowSummary) => void;
  onDelete: (flow: FlowSummary) => void;
  onDismissError: (id: string) => void;
}

export function FlowsTable({ flows, teamName, mayWrite, mayOperate, pending, errors, now, onToggle, onDuplicate, onExport, onDelete, onDismissError }: Props) {
  return (
    <table className="list flows-table stacked-list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Id</th>
          <th scope="col">Team</th>
          <th scope="col">Enabled</th>
          <th scope="col" className="num">
            Revision
          </th>
          <th scope="col">Last updated</th>
          <th scope="col" className="flow-actions-head">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {flows.map((flow) => {
          const rowError = errors[flow.id];
          return (
            <Fragment key={flow.id}>
              <tr data-testid={`flow-row-${flow.id}`} className={rowError ? 'has-error' : undefined}>
                {/* data-label and stack-wide shape the row as a card on a phone (app.css, stacked-list). */}
                <td className="flow-name stack-wide">
                  <RouteLink to={{ page: 'flow', id: flow.id }}>{flow.name}</RouteLink>
                  {flow.provisioned && (
                    <span
                      className="provisioned-tag"
                      title={`Provisioned from ${flow.provisioned.file}: read-only here; change the file in git`}
                      data-testid={`flow-provisioned-${flow.id}`}
                    >
                      <FileCode size={13} aria-hidden="true" /> from {flow.provisioned.file}
                    </span>
                  )}
                  <BreakerBadge flow={flow} now={now} />
                </td>
                <td className="stack-wide">
                  <code className="mono flow-id">{flow.id}</code>
                </td>
                <td data-label="Team" data-testid="flow-team-cell">
                  {teamName(flow.team)}
                </td>
                <td>
                  <EnabledSwitch
                    flow={flow}
                    pending={pending.has(flow.id)}
                    onChange={(enabled) => onToggle(flow, enabled)}
                    locked={mayOperate(flow.team) ? undefined : `Only operators of ${teamName(flow.team)} can enable or disable this flow`}
                  />
                </td>
                <td className="num" data-label="Revision">
                  {flow.revision}
                </td>
                <td data-label="Last updated">
                  <time dateTime={flow.updatedAt} title={flow.updatedAt}>
                    {formatRelative(flow.updatedAt, now)}
                  </time>
                </td>
                <td className="flow-actions stack-wide">
                  <RouteLink to={{ page: 'flow', id: flow.id }} className="button small" aria-label={`Open ${flow.name}`}>
                    <PencilLine size={14} aria-hidden="true" /> Open
                  </RouteLink>
                  <RouteLink to={{ page: 'runs', flowId: flow.id }} className="button small" aria-label={`Runs of ${flow.name}`}>
                    <History size={14} aria-hidden="true" /> Runs
                  </RouteLink>
                  {mayWrite(flow.team) && (
                    <button
                      type="button"
                      className="icon small"
                      aria-label={`Duplicate ${flow.name}`}
                      title="Duplicate"
                      onClick={() => onDuplicate(flow)}
                      data-testid={`flow-duplicate-${flow.id}`}
                    >
                      <Copy size={15} aria-hidden="true" />
                    </button>
                  )}
                  <button
                    type="button"
                    className="icon small"
                    aria-label={`Export ${flow.name}`}
                    title={`Export (download ${flow.id}.json)`}
                    onClick={() => onExport(flow)}
                    data-testid={`flow-export-${flow.id}`}
                  >
                    <Download size={15} aria-hidden="true" />
                  </button>
                  {mayWrite(flow.team) && !flow.provisioned && (
                    <button
                      type="button"
                      className="icon small flow-delete"
                      aria-label={`Delete ${flow.name}`}
                      title="Delete"
                      onClick={() => onDelete(flow)}
                      data-testid={`flow-delete-${flow.id}`}
                    >
                      <Trash2 size={15} aria-hidden="true" />
                    </button>
                  )}
                </td>
              </tr>
              {rowError && (
                <tr className="flow-error-row" data-testid={`flow-error-${flow.id}`}>
                  <td colSpan={7} className="stack-wide">
                    <div className="banner error" role="alert">
                      <div className="row">
                        <span>
                          <strong>
                            Could not {rowError.what} “{flow.name}”:
                          </strong>{' '}
                          {rowError.error.message}
                        </span>
                        <span className="spacer" />
                        <button type="button" className="ghost icon small" aria-label="Dismiss" onClick={() => onDismissError(flow.id)}>
                          <X size={14} />
                        </button>
                      </div>
                      {rowError.error instanceof ApiError && rowError.error.issues.length > 0 && <IssueList issues={rowError.error.issues} />}
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
