import { Check, X } from 'lucide-react';
import type { Approval } from '../../../shared/api-views.js';
import { RelativeTime } from './RelativeTime.js';

/** "1 of 2 approvals" and what the approval still waits for, or undefined when one is all it needs and nobody decided. */
function progressText(a: Pick<Approval, 'approvals' | 'status'>): string | undefined {
  const { count, needed } = a.approvals;
  if (needed <= 1 && count === 0) return undefined;
  const of = `${count} of ${needed} approval${needed === 1 ? '' : 's'}`;
  if (a.status !== 'pending') return of;
  const left = needed - count;
  return left > 0 ? `${of}: waiting for ${left} more` : of;
}

/** Who must decide, in the words of the node's rules (the default says nothing: the team's approvers). */
export function rulesText(a: Pick<Approval, 'rules'>): string[] {
  const lines: string[] = [];
  const users = a.rules.approvers?.users ?? [];
  const teams = a.rules.approvers?.teams ?? [];
  if (users.length + teams.length > 0) {
    lines.push(`Only ${[...users, ...teams.map((t) => `approvers of team ${t}`)].join(', ')} may decide.`);
  }
  if (!a.rules.allowSelfApproval) lines.push('Whoever started the run by hand or saved this flow revision may not approve it.');
  if (a.rules.requireComment) lines.push('Each decision needs a comment.');
  return lines;
}

/**
 * The quorum's progress and each decision so far (who, how, when, their comment): with a quorum
 * of two, the second approver sees who approved first and why.
 */
export function ApprovalProgress({ approval }: { approval: Approval }) {
  const text = progressText(approval);
  if (!text && approval.decisions.length === 0) return null;
  return (
    <div className="approval-progress stack" data-testid={`approval-progress-${approval.id}`}>
      {text && (
        <div className="row">
          <strong>{text}</strong>
          <meter className="quorum-meter" min={0} max={approval.approvals.needed} value={approval.approvals.count} aria-label="Approvals so far" />
        </div>
      )}
      {approval.decisions.length > 0 && (
        <ul className="decision-list">
          {approval.decisions.map((d) => (
            <li key={d.decider} className={`decision ${d.decision}`}>
              <span className="row">
                {d.decision === 'approve' ? <Check size={14} aria-hidden="true" /> : <X size={14} aria-hidden="true" />}
                <span>
                  <strong>{d.name}</strong> {d.decision === 'approve' ? 'approved' : 'rejected'} <RelativeTime iso={d.at} />
                  {d.via === 'break-glass' && <span className="muted small"> (break-glass admin token)</span>}
                </span>
              </span>
              {d.comment && <blockquote className="approval-comment">{d.comment}</blockquote>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
