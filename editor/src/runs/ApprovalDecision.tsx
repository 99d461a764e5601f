import { useState } from 'react';
import { Check, X } from 'lucide-react';
import { api, ApiError, call, idParam } from '../api/client.js';
import type { Approval } from '../../../shared/api-views.js';
import { toast } from '../ui/toast.js';
import { ApiErrorBanner } from './ApiErrorBanner.js';

type Decision = 'approve' | 'reject';

/**
 * Approve / Reject with an optional comment (kept in the audit log). Used in the inbox and on
 * the run page. A 409 means someone else decided first (or it timed out): the server's words
 * are shown and the caller refreshes, so nobody is left looking at a stale question.
 */
export function ApprovalDecision({
  approval,
  onDecided,
  link,
}: {
  approval: Pick<Approval, 'id'> & Partial<Pick<Approval, 'planHash'>>;
  onDecided: () => void;
  /** The approval link the page was opened with: sent along, and used up by the decision. */
  link?: string;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<Decision | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const id = approval.id;

  const decide = async (decision: Decision) => {
    setBusy(decision);
    setError(null);
    try {
      const body: { decision: Decision; comment?: string; planHash?: string; link?: string } = { decision };
      if (comment.trim()) body.comment = comment.trim();
      // The plan this person was shown: a decision on a plan that changed since is refused.
      if (approval.planHash) body.planHash = approval.planHash;
      if (link) body.link = link;
      await call(api.approvals[':id'].$post({ ...idParam(id), json: body }));
      toast(decision === 'approve' ? 'Approved: the run goes on.' : 'Rejected: the run takes its "rejected" path.', 'success');
      setComment('');
      onDecided();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      setError(e);
      if (e instanceof ApiError && e.status === 409) {
        // Someone else decided, or it timed out; the list will no longer show it as pending.
        toast(`Already decided: ${e.message}`, 'error');
        onDecided();
      }
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="approval-decision stack">
      {error && <ApiErrorBanner error={error} doing={error instanceof ApiError && error.status === 409 ? 'Deciding' : 'Sending the decision'} />}
      <div className="field">
        <label htmlFor={`approval-comment-${id}`}>
          Comment <span className="muted small">(optional, kept in the audit log)</span>
        </label>
        <textarea
          id={`approval-comment-${id}`}
          data-testid={`approval-comment-${id}`}
          className="comment-box"
          rows={2}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="e.g. checked the dashboard, restart is fine"
        />
      </div>
      <div className="row">
        <button type="button" className="primary" data-testid={`approve-${id}`} disabled={busy !== null} onClick={() => decide('approve')}>
          <Check size={16} aria-hidden="true" /> {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="danger" data-testid={`reject-${id}`} disabled={busy !== null} onClick={() => decide('reject')}>
          <X size={16} aria-hidden="true" /> {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
    </div>
  );
}
