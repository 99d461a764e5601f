import { LockKeyhole, RotateCcw, Zap } from 'lucide-react';
import { hrefFor } from '../router.js';
import { shortRunId } from '../runs/RunRow.js';
import { StatusPill } from '../runs/StatusPill.js';
import { resetBreaker } from './guard-api.js';
import { breakerCause } from './limits.js';
import { CommentedAction } from './CommentedAction.js';
import { When } from './When.js';
import type { BreakerView } from '../../../shared/api-views.js';
import type { Permission } from './HeldBanner.js';
import '../styles/limits.css';

/** Resets a tripped breaker after a confirmation with an optional comment (audited by the server). */
function ResetButton({ flowId, flowName, onReset }: { flowId: string; flowName: string; onReset: () => void }) {
  return (
    <CommentedAction
      trigger={(open) => (
        <button type="button" className="danger" onClick={open} data-testid="breaker-reset">
          <RotateCcw size={14} aria-hidden="true" /> Reset breaker
        </button>
      )}
      title="Reset the circuit breaker?"
      keepLabel="Keep it tripped"
      confirmLabel="Reset breaker"
      busyLabel="Resetting…"
      confirmClassName="danger solid"
      placeholder="What was fixed, e.g. “restarted the agent on web-1”"
      doing="Resetting"
      testIds={{ dialog: 'breaker-reset-dialog', confirm: 'confirm-breaker-reset', comment: 'breaker-reset-comment' }}
      act={(comment) => resetBreaker(flowId, comment)}
      success={`Circuit breaker of “${flowName}” reset: new alerts start runs again.`}
      onSettled={onReset}
    >
      <p style={{ margin: 0 }}>
        <strong>{flowName}</strong> failed too often and stopped starting runs. Resetting lets new alerts start runs again at once.
      </p>
      <p style={{ margin: 0 }}>
        Runs held while it was tripped stay held: release or cancel them in Runs. Reset only once the cause of the failures is understood, or it trips again.
        Your name and the comment go to the audit log.
      </p>
    </CommentedAction>
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
