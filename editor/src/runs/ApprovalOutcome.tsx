import type { ReactNode } from 'react';
import type { Approval } from '../../../shared/api-views.js';
import { ApprovalProgress } from './ApprovalProgress.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusPill } from './StatusPill.js';

/** How a decided approval ended, in one or two lines: who, when, and their comment (with a quorum: each decision). */
export function ApprovalOutcome({ approval }: { approval: Approval }) {
  const when = <RelativeTime iso={approval.decidedAt} />;
  let text: ReactNode;
  switch (approval.status) {
    case 'approved':
    case 'rejected':
      text = (
        <>
          {approval.status === 'approved' ? 'Approved' : 'Rejected'} by <strong>{approval.decidedBy ?? 'someone'}</strong> {when}
        </>
      );
      break;
    case 'timeout':
      text = <>Nobody decided in time; the run took its "timeout" path ({when}).</>;
      break;
    case 'cancelled':
      text = <>The run was cancelled before anyone decided ({when}).</>;
      break;
    default:
      return null;
  }
  return (
    <div className="approval-outcome stack">
      <div className="row">
        <StatusPill status={approval.status} />
        <span>{text}</span>
      </div>
      {/* With a quorum, everyone who decided; with one decider, the line above says it all. */}
      {approval.decisions.length > 1 ? (
        <ApprovalProgress approval={approval} />
      ) : (
        approval.comment && <blockquote className="approval-comment">{approval.comment}</blockquote>
      )}
    </div>
  );
}
