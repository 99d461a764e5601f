import type { AuditEntry } from '../../../shared/audit.js';
import { api, call } from '../api/client.js';
import { AuditFilters } from '../audit/AuditFilters.js';
import { describeAudit, runOf, VIA_LABELS } from '../audit/describe.js';
import { hrefFor, navigate, type AuditRouteFilters } from '../router.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { shortRunId } from '../runs/RunRow.js';
import { exactTime } from '../runs/time.js';
import { LoadOlder } from '../ui/LoadOlder.js';
import { useLivePages } from '../ui/useLivePages.js';
import '../styles/runs.css';
import '../styles/events.css';
import '../styles/audit.css';

const PAGE_SIZE = 50;
const LIVE_MS = 10_000;

type Row = Omit<AuditEntry, 'id'> & { id: string };

/** `2026-12-05 09:30:12` in the browser's time zone: readable, and sorts as it reads (the exact UTC time is on hover). */
function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The audit log, newest first (`#/audit`): who changed what, how they came in and from where.
 * Rows cannot be edited or removed; `salve audit verify` checks that none was.
 */
export function AuditPage({ filters }: { filters: AuditRouteFilters }) {
  const filterKey = JSON.stringify(filters);
  const pages = useLivePages<Row>(
    filterKey,
    async (before) => {
      const page = await call(api.audit.$get({ query: { ...filters, limit: PAGE_SIZE, before } }));
      return { ...page, items: page.items.map((e) => ({ ...e, id: String(e.id) })) };
    },
    LIVE_MS,
  );
  const { newest, rows } = pages;
  const filtered = Object.values(filters).some(Boolean);
  const go = (next: AuditRouteFilters) => navigate({ page: 'audit', filters: next });

  return (
    <div className="page events-page audit-page">
      <div className="page-header">
        <h1>Audit</h1>
        <span className="muted small">Every change and decision: who, how, from where, and what it changed. Rows are never edited or removed.</span>
      </div>
      <AuditFilters filters={filters} onChange={go} />

      {newest.error && <ApiErrorBanner error={newest.error} doing="Loading the audit log" onRetry={newest.refresh} />}

      {!newest.data ? (
        !newest.error && <div className="card empty">Loading the audit log…</div>
      ) : (
        <div className="card">
          {rows.length === 0 ? (
            <div className="empty">{filtered ? 'No audit record matches these filters. Clear them to see every record.' : 'Nothing recorded yet.'}</div>
          ) : (
            <table className="list audit-table stacked-list" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Via</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Summary</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <AuditRow key={e.id} entry={e} />
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}

      {pages.olderError && <ApiErrorBanner error={pages.olderError} doing="Loading older records" onRetry={pages.loadOlder} />}
      {rows.length > 0 && <LoadOlder pages={pages} allLoaded={`That is every record${filtered ? ' matching the filters' : ''}.`} />}
    </div>
  );
}

function AuditRow({ entry: e }: { entry: Row }) {
  const summary = describeAudit(e);
  const run = runOf(e);
  const isFlow = e.action.startsWith('flow.') && e.action !== 'flow.delete';
  return (
    <tr data-testid="audit-row" data-action={e.action}>
      <td data-label="Time" className="audit-time">
        <time className="small" dateTime={e.at} title={exactTime(e.at)}>
          {localTime(e.at)}
        </time>
        <div className="muted small">
          <RelativeTime iso={e.at} />
        </div>
      </td>
      <td data-label="Actor" className="audit-actor">
        {e.actor}
        {e.address && <div className="muted small mono">{e.address}</div>}
      </td>
      <td data-label="Via">
        <span className={`via-chip via-${e.via}`}>{VIA_LABELS[e.via] ?? e.via}</span>
      </td>
      <td data-label="Action" className="mono small audit-action">
        {e.action}
      </td>
      <td data-label="Target" className="audit-target">
        {isFlow ? (
          <a href={hrefFor({ page: 'flow', id: e.target })} className="mono small" title="Open the flow">
            {e.target}
          </a>
        ) : (
          <span className="mono small">{e.target}</span>
        )}
        {run && run !== e.target && (
          <div>
            <a href={hrefFor({ page: 'run', id: run })} className="mono small" title={`Open run ${run}`}>
              run {shortRunId(run)}
            </a>
          </div>
        )}
      </td>
      <td data-label="Summary" className="stack-wide audit-summary">
        {summary.length === 0 ? (
          <span className="muted small">—</span>
        ) : (
          <ul>
            {summary.map((line) => (
              <li key={line} className="small">
                {line}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
