import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { FlowRevisionSummary, StoredFlow } from '../../../shared/api-views.js';
import { diffRevisions, type RevisionDiff } from '../../../shared/flow/revision-diff.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { ApiError } from '../api/client.js';
import { exactTime, formatRelative } from '../runs/time.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { getRevision, listRevisions, rollBack } from './history-api.js';
import { describeChange, diffSummary, showValue } from './revision-compare.js';

/** Two revisions side by side: what the canvas draws while the History tab compares them. */
export interface Comparison {
  from: number;
  to: number;
  older: Flow;
  newer: Flow;
  diff: RevisionDiff;
}

interface Props {
  flowId: string;
  /** The revision the editor holds (its base for saving). */
  revision: number;
  /** Unsaved changes on the canvas: a rollback would drop them. */
  dirty: boolean;
  /** Editors of the flow's team (and admins) may roll back; others only read. */
  mayWrite: boolean;
  comparison: Comparison | null;
  onCompare: (comparison: Comparison | null) => void;
  onRolledBack: (stored: StoredFlow) => void;
  onSelectNode: (nodeId: string) => void;
}

/**
 * The flow's history: who saved each revision and when, what changed between any two (the list
 * here, the marked diagram on the canvas), and rolling back to an earlier one.
 */
export function HistoryPanel({ flowId, revision, dirty, mayWrite, comparison, onCompare, onRolledBack, onSelectNode }: Props) {
  const id = useId();
  const [revisions, setRevisions] = useState<FlowRevisionSummary[] | Error | null>(null);
  const [confirm, setConfirm] = useState<FlowRevisionSummary | null>(null);
  const documents = useRef(new Map<number, Flow>());
  const latest = Array.isArray(revisions) ? revisions[0]?.revision : undefined;

  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded again when the editor's revision changes (a save or a rollback adds one)
  useEffect(() => {
    let live = true;
    listRevisions(flowId).then(
      (items) => live && setRevisions(items),
      (error: Error) => live && setRevisions(error),
    );
    return () => {
      live = false;
    };
  }, [flowId, revision]);

  const compare = useCallback(
    async (from: number, to: number) => {
      try {
        const load = async (n: number) => {
          const cached = documents.current.get(n);
          if (cached) return cached;
          const { flow } = await getRevision(flowId, n);
          documents.current.set(n, flow);
          return flow;
        };
        const [older, newer] = await Promise.all([load(from), load(to)]);
        onCompare({ from, to, older, newer, diff: diffRevisions(older, newer) });
      } catch (error) {
        toast(`Could not load the revisions: ${(error as Error).message}`, 'error');
      }
    },
    [flowId, onCompare],
  );

  // On opening (and after a save), show what the latest revision changed.
  const compareKey = `${latest}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the newest revision changes, not on every comparison the operator picks
  useEffect(() => {
    if (!Array.isArray(revisions) || revisions.length < 2 || comparison) return;
    void compare(revisions[1]!.revision, revisions[0]!.revision);
  }, [compareKey]);

  if (revisions === null) return <div className="side-body muted">Loading the history…</div>;
  if (revisions instanceof Error) {
    return (
      <div className="side-body">
        <h2>History</h2>
        <p className="banner error">Could not load the history: {revisions.message}</p>
      </div>
    );
  }

  const doRollBack = async (target: FlowRevisionSummary) => {
    setConfirm(null);
    try {
      const stored = await rollBack(flowId, target.revision, revision);
      onCompare(null);
      onRolledBack(stored);
      toast(`Rolled back to revision ${target.revision}: saved as revision ${stored.revision}.`, 'success');
    } catch (error) {
      const conflict = error instanceof ApiError && error.status === 409;
      toast(conflict ? `${error.message}. Reload the flow to see the newer revision, then try again.` : `Not rolled back: ${(error as Error).message}`, 'error');
    }
  };

  const numbers = revisions.map((r) => r.revision);
  return (
    <div className="side-body history" data-testid="history-panel">
      <h2>History</h2>
      <p className="muted">
        {revisions.length} revision{revisions.length === 1 ? '' : 's'}. Choose two to compare: the canvas marks what changed.
      </p>
      {revisions.length >= 2 && (
        <div className="history-compare-form">
          <label htmlFor={`${id}-from`}>Compare</label>
          <select
            id={`${id}-from`}
            data-testid="history-from"
            value={comparison?.from ?? ''}
            onChange={(e) => void compare(Number(e.target.value), comparison?.to ?? numbers[0]!)}
          >
            {comparison === null && <option value="">—</option>}
            {numbers.map((n) => (
              <option key={n} value={n}>
                revision {n}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-to`}>with</label>
          <select
            id={`${id}-to`}
            data-testid="history-to"
            value={comparison?.to ?? ''}
            onChange={(e) => void compare(comparison?.from ?? numbers[1]!, Number(e.target.value))}
          >
            {comparison === null && <option value="">—</option>}
            {numbers.map((n) => (
              <option key={n} value={n}>
                revision {n}
              </option>
            ))}
          </select>
        </div>
      )}
      {comparison && <ChangeList comparison={comparison} onSelectNode={onSelectNode} onClose={() => onCompare(null)} />}
      <h3>Revisions</h3>
      <ol className="history-list" data-testid="history-list">
        {revisions.map((r, i) => {
          const previous = revisions[i + 1];
          const chosen = comparison?.to === r.revision && comparison.from === previous?.revision;
          return (
            <li key={r.revision} className={chosen ? 'chosen' : undefined} data-testid={`history-revision-${r.revision}`}>
              <div className="history-row">
                <strong>Revision {r.revision}</strong>
                {r.revision === latest && <span className="chip">current</span>}
                {!r.enabled && <span className="chip muted">disabled</span>}
              </div>
              <div className="history-who">
                {r.author.name}
                {r.author.username && r.author.username !== r.author.name ? <span className="muted"> ({r.author.username})</span> : null} ·{' '}
                <time dateTime={r.createdAt} title={exactTime(r.createdAt)}>
                  {formatRelative(r.createdAt, Date.now())}
                </time>
              </div>
              {previous && previous.name !== r.name && <div className="muted">renamed to “{r.name}”</div>}
              <div className="history-actions">
                {previous && (
                  <button type="button" className="small" onClick={() => void compare(previous.revision, r.revision)} data-testid={`history-changes-${r.revision}`}>
                    What changed
                  </button>
                )}
                {mayWrite && r.revision !== latest && (
                  <button type="button" className="small" onClick={() => setConfirm(r)} data-testid={`history-rollback-${r.revision}`}>
                    Roll back to this revision
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {confirm && latest !== undefined && (
        <Dialog
          title={`Roll back to revision ${confirm.revision}?`}
          onClose={() => setConfirm(null)}
          testId="rollback-dialog"
          footer={
            <>
              <button type="button" onClick={() => setConfirm(null)}>
                Cancel
              </button>
              <button type="button" className="primary" onClick={() => void doRollBack(confirm)} data-testid="rollback-confirm">
                Roll back
              </button>
            </>
          }
        >
          <p>
            The steps, connections and settings of revision {confirm.revision} (saved by {confirm.author.name}, {new Date(confirm.createdAt).toLocaleString()}) are saved as a new
            revision {latest + 1}. Revision {latest} stays in the history, so this can be undone the same way.
          </p>
          <p className="muted">The flow stays {revisions[0]?.enabled ? 'enabled' : 'disabled'} as it is now: turning it on or off is a separate step.</p>
          {dirty && <p className="banner warning">Your unsaved changes on the canvas will be discarded.</p>}
        </Dialog>
      )}
    </div>
  );
}

/** The changes of a comparison, step by step, each with the config paths that differ. */
function ChangeList({ comparison, onSelectNode, onClose }: { comparison: Comparison; onSelectNode: (id: string) => void; onClose: () => void }) {
  const { diff, from, to } = comparison;
  return (
    <section className="history-changes" aria-label={`Changes from revision ${from} to ${to}`} data-testid="history-changes">
      <div className="history-row">
        <h3>
          Revision {from} → {to}
        </h3>
        <button type="button" className="small ghost" onClick={onClose} data-testid="history-close-compare">
          Back to editing
        </button>
      </div>
      <p className="muted" data-testid="history-summary">
        {from > to ? 'Going back: ' : ''}
        {diffSummary(diff)}
      </p>
      <ul className="change-list">
        {diff.flow.map((c) => (
          <li key={`flow-${c.path}`} className="change change-changed">
            <span className="change-kind">Flow</span> <code>{c.path}</code>: <ChangeValues before={c.before} after={c.after} />
          </li>
        ))}
        {diff.nodes.map((n) => (
          <li key={n.id} className={`change change-${n.kind}`} data-testid={`change-${n.id}`}>
            <button type="button" className="link" onClick={() => onSelectNode(n.id)} title="Show it on the canvas">
              <span className="change-kind">{n.kind}</span> <code>{n.id}</code>
              {n.label ? ` “${n.label}”` : ''}
            </button>
            {n.kind === 'changed' && (
              <ul>
                {n.changes
                  .filter((c) => c.path !== 'position')
                  .map((c) => (
                    <li key={c.path} title={describeChange(c)}>
                      <code>{c.path}</code>: <ChangeValues before={c.before} after={c.after} />
                    </li>
                  ))}
              </ul>
            )}
          </li>
        ))}
        {diff.edges.added.map((e) => (
          <li key={`+${e.source}${e.sourcePort}${e.target}`} className="change change-added">
            <span className="change-kind">connection added</span> <code>{e.source}</code>
            {e.sourcePort ? ` (${e.sourcePort})` : ''} → <code>{e.target}</code>
          </li>
        ))}
        {diff.edges.removed.map((e) => (
          <li key={`-${e.source}${e.sourcePort}${e.target}`} className="change change-removed">
            <span className="change-kind">connection removed</span> <code>{e.source}</code>
            {e.sourcePort ? ` (${e.sourcePort})` : ''} → <code>{e.target}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ChangeValues({ before, after }: { before: unknown; after: unknown }) {
  return (
    <span className="change-values">
      <del>{showValue(before)}</del> → <ins>{showValue(after)}</ins>
    </span>
  );
}
