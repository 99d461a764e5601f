import { CirclePause, CirclePlay, LockKeyhole } from 'lucide-react';
import type { Execution } from '../../../shared/api-views.js';
import { CancelRunButton } from '../runs/CancelRunButton.js';
import { releaseRun } from './guard-api.js';
import { heldBy, heldReason, releaserName } from './limits.js';
import { ReasonText } from './ReasonText.js';
import { CommentedAction } from './CommentedAction.js';
import { When } from './When.js';
import '../styles/limits.css';

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
  return (
    <CommentedAction
      trigger={(open) => (
        <button type="button" className="primary" onClick={open} data-testid="release-run">
          <CirclePlay size={16} aria-hidden="true" /> Release
        </button>
      )}
      title="Release this held run?"
      keepLabel="Keep it held"
      confirmLabel="Release and run now"
      busyLabel="Releasing…"
      confirmClassName="primary"
      placeholder="Why it is safe to run, e.g. “checked web-1: the earlier fix did not hold”"
      doing="Releasing"
      testIds={{ dialog: 'release-run-dialog', confirm: 'confirm-release-run', comment: 'release-comment' }}
      act={(comment) => releaseRun(run.id, comment)}
      success={`Run ${run.id} released: it starts now.`}
      onSettled={onReleased}
    >
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
        Releasing starts it <strong>now</strong>, without checking the limits again: it does what the flow does, on this target. Your name and the comment are
        kept on the run and in the audit log.
      </p>
    </CommentedAction>
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
