import { useState } from 'react';
import { Check, X } from 'lucide-react';
import { api, ApiError, call, idParam } from '../api/client.js';
import type { Approval } from '../../../shared/api-views.js';
import { toast } from '../ui/toast.js';
import { ApiErrorBanner } from './ApiErrorBanner.js';
import { ApprovalProgress, rulesText } from './ApprovalProgress.js';

type Decision = 'approve' | 'reject';

/**
 * Approve / Reject with a comment (kept in the audit log; required when the node says so), sent
 * with the plan hash the page showed. Used in the inbox and on the run page. The quorum's
 * progress and earlier decisions are above the buttons; a button the caller may not use is
 * disabled, with the server's reason beside it. A 409 means someone else decided first, it timed
 * out, or the plan is not the one shown: the server's words are shown and the caller refreshes,
 * so nobody is left looking at a stale question.
 */
export function ApprovalDecision({ approval, onDecided }: { approval: Approval; onDecided: () => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<Decision | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const id = approval.id;

  const decide = async (decision: Decision) => {
    setBusy(decision);
    setError(null);
    try {
      const body: { decision: Decision; comment?: string; planHash?: string } = { decision };
      if (comment.trim()) body.comment = comment.trim();
      if (approval.planHash) body.planHash = approval.planHash;
      const after = await call(api.approvals[':id'].$post({ ...idParam(id), json: body }));
      toast(decidedText(decision, after), 'success');
      setComment('');
      onDecided();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      setError(e);
      if (e instanceof ApiError && e.status === 409) {
        // Someone decided it (or it timed out), you decided already, or the plan is not the one
        // shown: the server's words say which; the refresh shows the approval as it is now.
        toast(`Not recorded: ${e.message}`, 'error');
        onDecided();
      }
    } finally {
      setBusy(null);
    }
  };

  const required = approval.rules.requireComment;
  const mayApprove = approval.youMayDecide !== false;
  const mayReject = approval.youMayReject !== false;
  const missingComment = required && !comment.trim();
  const rules = rulesText(approval);

  return (
    <div className="approval-decision stack">
      <ApprovalProgress approval={approval} />
      {rules.length > 0 && (
        <ul className="approval-rules muted small">
          {rules.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {error && <ApiErrorBanner error={error} doing={error instanceof ApiError && error.status === 409 ? 'Deciding' : 'Sending the decision'} />}
      {!mayApprove && approval.whyNot && (
        <div className="banner warning" data-testid={`approval-why-not-${id}`}>
          {mayReject ? 'You cannot approve this: ' : 'You cannot decide this: '}
          {approval.whyNot}
        </div>
      )}
      <div className="field">
        <label htmlFor={`approval-comment-${id}`}>
          Comment{' '}
          {required ? <span className="small">(required: say why; kept in the audit log)</span> : <span className="muted small">(optional, kept in the audit log)</span>}
        </label>
        <textarea
          id={`approval-comment-${id}`}
          data-testid={`approval-comment-${id}`}
          className="comment-box"
          rows={2}
          maxLength={2000}
          required={required}
          disabled={!mayApprove && !mayReject}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="e.g. checked the dashboard, restart is fine"
        />
      </div>
      <div className="row">
        <button type="button" className="primary" data-testid={`approve-${id}`} disabled={busy !== null || !mayApprove || missingComment}
          title={!mayApprove ? approval.whyNot : missingComment ? 'Write a comment first: this approval requires one' : undefined}
          onClick={() => decide('approve')}
        >
          <Check size={16} aria-hidden="true" /> {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="danger" data-testid={`reject-${id}`} disabled={busy !== null || !mayReject || missingComment}
          title={!mayReject ? approval.whyNot : missingComment ? 'Write a comment first: this approval requires one' : undefined}
          onClick={() => decide('reject')}
        >
          <X size={16} aria-hidden="true" /> {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
        {missingComment && (mayApprove || mayReject) && <span className="muted small">Write a comment to decide.</span>}
      </div>
      {approval.planHash && (
        <div className="muted small" title={`Plan hash (SHA-256): ${approval.planHash}`} data-testid={`approval-plan-${id}`}>
          Your decision applies to this plan only (<span className="mono">{approval.planHash.slice(0, 12)}</span>): what runs if approved, as shown above.
        </div>
      )}
    </div>
  );
}

/** What the toast says after a decision: with a quorum, an approval may leave it still waiting. */
function decidedText(decision: Decision, after: Pick<Approval, 'status' | 'approvals'>): string {
  if (decision === 'reject') return 'Rejected: the run takes its "rejected" path.';
  if (after.status === 'approved') return 'Approved: the run goes on.';
  const left = after.approvals.needed - after.approvals.count;
  return `Approval recorded (${after.approvals.count} of ${after.approvals.needed}): waiting for ${left} more.`;
}
