import { History, X } from 'lucide-react';
import { useId, useState, type ReactNode } from 'react';
import { formatPath } from '../../../shared/errors.js';
import { describeDifferences, describePath, type ReplayResult, type ReplayRun } from '../../../shared/flow/replay-compare.js';
import { ApiError } from '../api/client.js';
import { hrefFor } from '../router.js';
import { replayRange, type ReplayRangeChoice } from './useFlowReplay.js';
import '../styles/replay.css';

interface Props {
  result: ReplayResult | null;
  /** True when the flow changed after the replay. */
  stale: boolean;
  selected: number | null;
  onSelect: (index: number) => void;
  onReplay: (range: { since: number; until: number }) => Promise<void>;
  onClear: () => void;
  /** Nodes of the selected run's saved path the draft no longer has (not drawn on the canvas). */
  missingFromDraft: readonly string[];
}

const CHOICES: { value: ReplayRangeChoice; label: string }[] = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom…' },
];

/** `code` spans for the backticked names of a summary sentence. */
function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

const timeOf = (iso: string) => {
  const d = new Date(iso);
  return { short: d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }), full: d.toLocaleString() };
};

/** What the event log says the saved flow did then (it may differ from the simulation: duplicates, limits, a disabled flow). */
function recordedWords(run: ReplayRun): string | null {
  if (!run.recorded) return null;
  if (run.recorded.result === 'started') return 'at the time: a run started';
  if (run.recorded.result === 'duplicate') return 'at the time: a duplicate';
  if (run.recorded.result === 'held') return 'at the time: a run held by a guard rail';
  return 'at the time: no run';
}

/**
 * "Replay against history": the draft on the canvas, simulated against the deliveries Salve
 * stored in a range and compared with what the saved flow (its revision current at each
 * delivery) does with them. Nothing is executed. The table lists the alerts that would change;
 * picking one draws both paths on the canvas.
 */
export function ReplayPanel({ result, stale, selected, onSelect, onReplay, onClear, missingFromDraft }: Props) {
  const id = useId();
  const [choice, setChoice] = useState<ReplayRangeChoice>('24h');
  const [custom, setCustom] = useState({ since: '', until: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onReplay(replayRange(choice, Date.now(), custom));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="side-body replay-panel" data-testid="replay-panel">
      <h2>Replay against history</h2>
      <p className="muted small" style={{ marginTop: 0 }}>
        Runs this draft, in simulation, against the alerts Salve received, and compares it with what the saved flow does with them. Nothing is sent, run
        or stored.
      </p>
      <div className="field">
        <label htmlFor={`${id}-range`}>Alerts received</label>
        <select id={`${id}-range`} value={choice} onChange={(e) => setChoice(e.target.value as ReplayRangeChoice)} data-testid="replay-range">
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      {choice === 'custom' && (
        <div className="replay-custom">
          <div className="field">
            <label htmlFor={`${id}-since`}>From</label>
            <input id={`${id}-since`} type="datetime-local" value={custom.since} onChange={(e) => setCustom({ ...custom, since: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-until`}>To</label>
            <input id={`${id}-until`} type="datetime-local" value={custom.until} onChange={(e) => setCustom({ ...custom, until: e.target.value })} />
          </div>
        </div>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={run} disabled={busy} data-testid="run-replay">
          <History size={15} aria-hidden="true" />
          {busy ? 'Replaying…' : 'Replay'}
        </button>
        {result && (
          <button type="button" onClick={onClear}>
            <X size={15} aria-hidden="true" /> Clear
          </button>
        )}
      </div>
      {error && <ReplayError error={error} />}
      {result && (
        <div className="side-section" data-testid="replay-result">
          {stale && <p className="stale-note">The flow changed since this replay. Replay again to compare the current draft.</p>}
          <p className="small replay-counts" data-testid="replay-counts">
            {result.events.replayed} deliver{result.events.replayed === 1 ? 'y' : 'ies'} replayed · {result.runs.total} alert{result.runs.total === 1 ? '' : 's'} ·{' '}
            <strong>{result.runs.changed} would change</strong>
          </p>
          {result.cutShort && (
            <p className="banner warning" role="status">
              Cut short: {result.cutShort.reason} ({result.cutShort.remainingEvents} deliveries not replayed).
            </p>
          )}
          <ul className="replay-summary" data-testid="replay-summary">
            {result.summary.map((line, i) => (
              <li key={i} className={`replay-line-${line.kind}`}>
                {withCode(line.text)}
              </li>
            ))}
          </ul>
          {result.events.skipped > 0 && (
            <p className="muted small">
              {result.events.skipped} deliveries skipped: {result.skippedEvents[0]?.reason}.
            </p>
          )}
          {result.rows.length > 0 && (
            <>
              <ReplayLegend />
              <ReplayTable rows={result.rows} selected={selected} onSelect={onSelect} missingFromDraft={missingFromDraft} />
              {result.rowsTruncated && <p className="muted small">The first {result.rows.length} changed alerts are listed.</p>}
            </>
          )}
        </div>
      )}
    </div>
  );
}

function ReplayLegend() {
  return (
    <div className="replay-legend" data-testid="replay-legend">
      <span className="muted small">Click an alert to draw it on the canvas:</span>
      <span>
        <i className="swatch both" aria-hidden="true" /> both paths
      </span>
      <span>
        <i className="swatch saved" aria-hidden="true" /> saved flow only
      </span>
      <span>
        <i className="swatch draft" aria-hidden="true" /> this draft only
      </span>
    </div>
  );
}

function ReplayTable({
  rows,
  selected,
  onSelect,
  missingFromDraft,
}: {
  rows: readonly ReplayRun[];
  selected: number | null;
  onSelect: (i: number) => void;
  missingFromDraft: readonly string[];
}) {
  return (
    <table className="replay-table" data-testid="replay-table">
      <thead>
        <tr>
          <th>Received · alert</th>
          <th>Saved flow</th>
          <th>This draft</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => {
          const t = timeOf(row.receivedAt);
          return [
            <tr
              key={`${row.eventId}:${row.sourceNodeId}:${i}`}
              className={i === selected ? 'selected' : undefined}
              aria-selected={i === selected}
              tabIndex={0}
              onClick={() => onSelect(i)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(i);
                }
              }}
              data-testid="replay-row"
            >
              <td>
                <span className="replay-time" title={t.full}>
                  {t.short}
                </span>
                <strong className="replay-alert">{row.alertName}</strong>
                {row.status === 'resolved' && <span className="muted small"> (resolved)</span>}
                {row.alertSummary && row.alertSummary !== row.alertName && <span className="replay-alert-summary">{row.alertSummary}</span>}
              </td>
              <td>
                <span className="replay-path">{describePath(row.saved)}</span>
                {recordedWords(row) && <span className="muted small replay-recorded">{recordedWords(row)}</span>}
              </td>
              <td>
                <span className="replay-path">{describePath(row.draft)}</span>
                <span className="replay-differs">{describeDifferences(row.differences)}</span>
              </td>
            </tr>,
            i === selected ? (
              <tr key={`${row.eventId}:${i}:detail`} className="replay-detail-row">
                <td colSpan={3}>
                  <RunDetail run={row} missingFromDraft={missingFromDraft} />
                </td>
              </tr>
            ) : null,
          ];
        })}
      </tbody>
    </table>
  );
}

/** The chosen alert: what differs, with the rendered values side by side. */
function RunDetail({ run, missingFromDraft }: { run: ReplayRun; missingFromDraft: readonly string[] }) {
  const fieldOf = (side: ReplayRun['saved'], nodeId: string, field: string) => {
    const rendered = side?.actions.find((a) => a.nodeId === nodeId)?.rendered;
    const value = field === '' ? rendered : (rendered as Record<string, unknown> | undefined)?.[field];
    return JSON.stringify(value) ?? '–';
  };
  const actions = run.differences.filter((d) => d.kind === 'action');
  return (
    <div className="replay-detail" data-testid="replay-detail">
      <div className="replay-detail-head">
        Drawn on the canvas ·{' '}
        <a href={hrefFor({ page: 'events', filters: { eventId: run.eventId } })} title={run.eventId}>
          see the delivery
        </a>
      </div>
      <p className="small">
        Saved flow{run.saved?.revision ? ` (revision ${run.saved.revision})` : ''}: {describePath(run.saved)}
        {run.saved && !run.saved.starts && run.saved.reason ? ` — ${run.saved.reason}` : ''}
        <br />
        This draft: {describePath(run.draft)}
        {run.draft && !run.draft.starts && run.draft.reason ? ` — ${run.draft.reason}` : ''}
      </p>
      {missingFromDraft.length > 0 && (
        <p className="muted small">
          The saved flow also went through {missingFromDraft.map((n) => `“${n}”`).join(', ')}, which this draft no longer has (not drawn).
        </p>
      )}
      {actions.map((d, i) =>
        d.kind === 'action' ? (
          <div key={i} className="replay-rendered small">
            <div>
              <strong>{d.nodeId}</strong> {d.field || 'rendered'}:
            </div>
            <div className="replay-was">saved: {fieldOf(run.saved, d.nodeId, d.field)}</div>
            <div className="replay-now">draft: {fieldOf(run.draft, d.nodeId, d.field)}</div>
          </div>
        ) : null,
      )}
    </div>
  );
}

function ReplayError({ error }: { error: Error }) {
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div className="banner error" style={{ marginTop: 10 }} role="alert" data-testid="replay-error">
      {error.message}
      {issues.length > 0 && (
        <ul className="issues">
          {issues.map((i, k) => (
            <li key={k}>
              <span className="issue-path">{formatPath(i.path)}</span> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
