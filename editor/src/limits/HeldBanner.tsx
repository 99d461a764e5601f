import { useId, useState } from 'react';
import { CirclePause, CirclePlay, LockKeyhole } from 'lucide-react';
import type { Execution } from '../../../shared/api-views.js';
import { CancelRunButton } from '../runs/CancelRunButton.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { exactTime, formatRelative } from '../runs/time.js';
import { useNow } from '../runs/useNow.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { releaseRun } from './guard-api.js';
import { heldBy, heldReason, releaserName } from './limits.js';
import { ReasonText } from './ReasonText.js';
import '../styles/limits.css';

const iso = (at: number) => new Date(at).toISOString();

/** "3 min ago", with the exact time on hover. */
function When({ at }: { at: number }) {
  const now = useNow();
  return (
    <time dateTime={iso(at)} title={exactTime(iso(at))}>
      {formatRelative(iso(at), now)}
    </time>
  );
}

/** Whether the caller may act on the run, and if not, why (shown instead of the buttons). */
export interface Permission {
  allowed: boolean;
  /** E.g. "Releasing and cancelling need the operator role in Web." */
  reason?: string;
}

/**
 * Releases a held run after a confirmation with an optional comment (kept on the run and in the
 * audit log). The run then starts at once; the limits are not checked again.
 */
function ReleaseButton({ run, flowName, onReleased }: { run: Execution; flowName: string; onReleased: () => void }) {
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const release = async () => {
    setBusy(true);
    setError(null);
    try {
      const text = comment.trim();
      await releaseRun(run.id, text || undefined);
      toast(`Run ${run.id} released: it starts now.`, 'success');
      setAsking(false);
      onReleased();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      // A 409 means someone else released or cancelled it meanwhile: show the real state behind the dialog.
      onReleased();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={() => {
          setError(null);
          setAsking(true);
        }}
        disabled={busy}
        data-testid="release-run"
      >
        <CirclePlay size={16} aria-hidden="true" /> Release
      </button>
      {asking && (
        <Dialog
          title="Release this held run?"
          onClose={() => !busy && setAsking(false)}
          testId="release-run-dialog"
          footer={
            <>
              <button type="button" onClick={() => setAsking(false)} disabled={busy}>
                Keep it held
              </button>
              <button type="button" className="primary" onClick={release} disabled={busy} data-testid="confirm-release-run">
                {busy ? 'Releasing…' : 'Release and run now'}
              </button>
            </>
          }
        >
          <div className="stack">
            {error && <ApiErrorBanner error={error} doing="Releasing" />}
            <p style={{ margin: 0 }}>
              Run <code>{run.id}</code> of <strong>{flowName}</strong> ({run.alert?.name ?? 'no alert'}
              {run.targetKey ? (
                <>
                  , target <code>{run.targetKey}</code>
                </>
              ) : null}
              ) was held: {run.held ? heldReason(run.held) : 'a guard rail stopped it'}.
            </p>
            <p style={{ margin: 0 }}>
              Releasing starts it <strong>now</strong>, without checking the limits again: it does what the flow does, on this target. Your name and the comment
              are kept on the run and in the audit log.
            </p>
            <div className="field" style={{ margin: 0 }}>
              <label htmlFor={`${id}-comment`}>Comment (optional)</label>
              <textarea
                id={`${id}-comment`}
                className="release-comment"
                rows={3}
                maxLength={2000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                placeholder="Why it is safe to run, e.g. “checked web-1: the earlier fix did not hold”"
                data-testid="release-comment"
                data-autofocus
              />
            </div>
          </div>
        </Dialog>
      )}
    </>
  );
}

/**
 * On the run page of a run a guard rail held: which limit, why, and (for those allowed) Release
 * and Cancel. After a release it says who released it, when, and their comment.
 */
export function HeldBanner({
  run,
  flowName,
  permission,
  self,
  onChanged,
}: {
  run: Execution;
  flowName: string;
  permission: Permission;
  self: { id?: string; name?: string } | undefined;
  onChanged: () => void;
}) {
  if (run.status === 'held') {
    return (
      <div className="banner held-banner" role="status" data-testid="held-banner">
        <CirclePause size={18} aria-hidden="true" className="held-icon" />
        <span className="held-text">
          <strong data-testid="held-limit">{run.held ? heldBy(run.held.limit) : 'Held by a guard rail'}</strong>
          {run.held && (
            <>
              {' '}
              <span className="muted small">
                · held <When at={run.held.at} />
              </span>
            </>
          )}
          <span className="held-reason" data-testid="held-reason">
            {run.held ? <ReasonText text={heldReason(run.held)} /> : 'The flow’s limits stopped this run before it started.'}
          </span>
          <span className="released-note">Nothing has run. It waits until a person releases it (it then starts at once) or cancels it.</span>
        </span>
        <span className="held-actions">
          {permission.allowed ? (
            <>
              <ReleaseButton run={run} flowName={flowName} onReleased={onChanged} />
              <CancelRunButton execution={run} flowName={flowName} onCancelled={onChanged} />
            </>
          ) : (
            <span className="permission-note row" data-testid="held-permission">
              <LockKeyhole size={14} aria-hidden="true" /> {permission.reason}
            </span>
          )}
        </span>
      </div>
    );
  }
  if (!run.held) return null;
  // Held once: released (it then ran) or cancelled while held.
  return (
    <div className="banner info held-banner-after" data-testid="held-history">
      <strong>{heldBy(run.held.limit)}</strong>{' '}
      <span className="muted small">
        · held <When at={run.held.at} />
      </span>
      <span className="held-reason">
        <ReasonText text={heldReason(run.held)} />
      </span>
      {run.released ? (
        <span className="released-note" data-testid="released-by">
          Released by <strong>{releaserName(run.released, self)}</strong> <When at={run.released.at} />
          {run.released.comment ? <> — “{run.released.comment}”</> : null}
        </span>
      ) : (
        run.status === 'cancelled' && <span className="released-note">Cancelled while held: it never ran.</span>
      )}
    </div>
  );
}
