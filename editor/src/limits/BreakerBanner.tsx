import { useId, useState } from 'react';
import { LockKeyhole, RotateCcw, Zap } from 'lucide-react';
import { hrefFor } from '../router.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { shortRunId } from '../runs/RunRow.js';
import { StatusPill } from '../runs/StatusPill.js';
import { exactTime, formatRelative } from '../runs/time.js';
import { useNow } from '../runs/useNow.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { resetBreaker } from './guard-api.js';
import { breakerCause } from './limits.js';
import type { BreakerView } from '../../../shared/api-views.js';
import type { Permission } from './HeldBanner.js';
import '../styles/limits.css';

const iso = (at: number) => new Date(at).toISOString();

function When({ at }: { at: number }) {
  const now = useNow();
  return (
    <time dateTime={iso(at)} title={exactTime(iso(at))}>
      {formatRelative(iso(at), now)}
    </time>
  );
}

/** Resets a tripped breaker after a confirmation with an optional comment (audited by the server). */
function ResetButton({ flowId, flowName, onReset }: { flowId: string; flowName: string; onReset: () => void }) {
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const reset = async () => {
    setBusy(true);
    setError(null);
    try {
      await resetBreaker(flowId, comment.trim() || undefined);
      toast(`Circuit breaker of “${flowName}” reset: new alerts start runs again.`, 'success');
      setAsking(false);
      onReset();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      onReset();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="danger" onClick={() => setAsking(true)} data-testid="breaker-reset">
        <RotateCcw size={14} aria-hidden="true" /> Reset breaker
      </button>
      {asking && (
        <Dialog
          title="Reset the circuit breaker?"
          onClose={() => !busy && setAsking(false)}
          testId="breaker-reset-dialog"
          footer={
            <>
              <button type="button" onClick={() => setAsking(false)} disabled={busy}>
                Keep it tripped
              </button>
              <button type="button" className="danger solid" onClick={reset} disabled={busy} data-testid="confirm-breaker-reset">
                {busy ? 'Resetting…' : 'Reset breaker'}
              </button>
            </>
          }
        >
          <div className="stack">
            {error && <ApiErrorBanner error={error} doing="Resetting" />}
            <p style={{ margin: 0 }}>
              <strong>{flowName}</strong> failed too often and stopped starting runs. Resetting lets new alerts start runs again at once.
            </p>
            <p style={{ margin: 0 }}>
              Runs held while it was tripped stay held: release or cancel them in Runs. Reset only once the cause of the failures is understood, or it
              trips again. Your name and the comment go to the audit log.
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
                placeholder="What was fixed, e.g. “restarted the agent on web-1”"
                data-testid="breaker-reset-comment"
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
 * The flow editor's banner while the flow's circuit breaker is tripped: since when, the failed
 * runs that tripped it, where the held runs are, and Reset (for those allowed).
 */
export function BreakerBanner({ flowId, flowName, view, permission, onChanged }: { flowId: string; flowName: string; view: BreakerView; permission: Permission; onChanged: () => void }) {
  if (view.state !== 'tripped') return null;
  const failures = view.failures ?? [];
  return (
    <div className="banner error breaker-banner editor-breaker" role="alert" data-testid="breaker-banner">
      <Zap size={18} aria-hidden="true" className="breaker-icon" />
      <div className="breaker-text">
        <strong>Circuit breaker tripped</strong>
        {view.trippedAt !== undefined && (
          <>
            {' '}
            <When at={view.trippedAt} />
          </>
        )}
        : {breakerCause(view)}. This flow starts no runs until someone resets it; alerts that arrive meanwhile become{' '}
        <a href={hrefFor({ page: 'runs', flowId })}>held runs</a>.
        {failures.length > 0 && (
          <ul className="breaker-failures" data-testid="breaker-failures">
            {failures.map((f) => (
              <li key={f.executionId}>
                <a href={hrefFor({ page: 'run', id: f.executionId })} title={f.executionId}>
                  <span className="mono">{shortRunId(f.executionId)}</span>
                </a>{' '}
                <StatusPill status={f.status} /> <span className="muted small">ended <When at={f.endedAt} /></span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="breaker-actions">
        {permission.allowed ? (
          <ResetButton flowId={flowId} flowName={flowName} onReset={onChanged} />
        ) : (
          <span className="permission-note row" data-testid="breaker-permission">
            <LockKeyhole size={14} aria-hidden="true" /> {permission.reason}
          </span>
        )}
      </div>
    </div>
  );
}
