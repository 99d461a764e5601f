import { useEffect } from 'react';
import { Link2 } from 'lucide-react';
import { api, call } from '../api/client.js';
import type { ApprovalLinkView } from '../../../shared/api-views.js';
import { usePolling } from '../ui/usePolling.js';
import { ApiErrorBanner } from './ApiErrorBanner.js';
import { ApprovalCard } from './ApprovalCard.js';
import { exactTime } from './time.js';

/** What each state of a link means to the person who opened it. */
function notice(link: ApprovalLinkView): { title: string; text: string } | undefined {
  switch (link.state) {
    case 'usable':
      return undefined;
    case 'waiting':
      return { title: 'This approval has not started yet', text: 'The run has not reached its approval step. This page checks again on its own.' };
    case 'decided':
      return { title: 'This approval is no longer waiting', text: 'It was decided, or it timed out, before you opened the link. Its outcome is below.' };
    case 'expired':
      return { title: 'This approval link has expired', text: `It was good until ${exactTime(link.expiresAt)}. Find the approval in the list below or on its run.` };
    case 'used':
      return {
        title: 'This approval link was already used',
        text: `${link.usedBy ?? 'Someone'} used it${link.usedAt ? ` at ${exactTime(link.usedAt)}` : ''}. A link is good for one decision${link.approval?.status === 'pending' ? '; the approval still waits for more decisions, and approvers can decide below' : ''}.`,
      };
  }
}

/**
 * The approval an approval link (`#/approvals?link=…`) points at, above the inbox. Opening the
 * page decides nothing: the link is sent with the decision, which uses it up.
 */
export function LinkedApproval({ token, onDecided, onApproval }: { token: string; onDecided: () => void; /** Which approval the link names, once known (the inbox leaves it out below). */ onApproval: (id: string) => void }) {
  const link = usePolling(() => call(api['approval-links'][':token'].$get({ param: { token: encodeURIComponent(token) } })), 5000, [token]);
  const said = link.data && notice(link.data);
  const linkedId = link.data?.approval?.id;
  useEffect(() => {
    if (linkedId) onApproval(linkedId);
  }, [linkedId, onApproval]);
  return (
    <section className="linked-approval stack" aria-labelledby="linked-approval-title" data-testid="linked-approval">
      <h2 className="section-title" id="linked-approval-title">
        <Link2 size={16} aria-hidden="true" /> From your approval link
      </h2>
      {link.error && <ApiErrorBanner error={link.error} doing="Opening the approval link" onRetry={link.refresh} />}
      {!link.data && !link.error && <div className="empty">Opening the approval link…</div>}
      {said && (
        <div className="card notice" role="status" data-testid={`link-${link.data!.state}`}>
          <div className="card-body">
            <div>
              <strong>{said.title}</strong>
              <p className="small muted">{said.text}</p>
            </div>
          </div>
        </div>
      )}
      {link.data?.approval && (
        <ApprovalCard
          approval={link.data.approval}
          onDecided={() => {
            link.refresh();
            onDecided();
          }}
          {...(link.data.state === 'usable' ? { link: token } : {})}
        />
      )}
    </section>
  );
}
