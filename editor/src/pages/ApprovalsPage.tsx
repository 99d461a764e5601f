import { useState } from 'react';
import { api, call } from '../api/client.js';
import type { ApprovalStatus } from '../../../shared/statuses.js';
import type { Approval } from '../../../shared/api-views.js';
import { usePolling } from '../ui/usePolling.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { ApprovalCard } from '../runs/ApprovalCard.js';
import { LinkedApproval } from '../runs/LinkedApproval.js';
import '../styles/runs.css';

type View = 'pending' | 'decided';

/** Everything that is no longer waiting. Cancelled ones too: otherwise they would just vanish. */
const DECIDED: ApprovalStatus[] = ['approved', 'rejected', 'timeout', 'cancelled'];

const byTime = (pick: (a: Approval) => string | null) => (a: Approval, b: Approval) => (pick(b) ?? '').localeCompare(pick(a) ?? '');

async function loadPending(): Promise<Approval[]> {
  const page = await call(api.approvals.$get({ query: { status: 'pending', limit: 200 } }));
  return [...page.items].sort(byTime((a) => a.createdAt));
}

async function loadDecided(): Promise<Approval[]> {
  const pages = await Promise.all(DECIDED.map((status) => call(api.approvals.$get({ query: { status, limit: 50 } }))));
  return pages.flatMap((p) => p.items).sort(byTime((a) => a.decidedAt ?? a.deadlineAt));
}

/** The approvals inbox (`#/approvals`): what waits for a person, newest first; decided ones on demand. */
export function ApprovalsPage({ onChanged, link }: { onChanged: () => void; /** An approval link's token (`#/approvals?link=`): its approval is shown first. */ link?: string }) {
  const [view, setView] = useState<View>('pending');
  const list = usePolling(view === 'pending' ? loadPending : loadDecided, view === 'pending' ? 5000 : 15000, [view]);
  // The approval a link opened is shown above; the list does not show it a second time.
  const [linkedId, setLinkedId] = useState<string | undefined>();
  const items = list.data?.filter((a) => a.id !== linkedId);

  const decided = () => {
    list.refresh();
    onChanged();
  };

  return (
    <div className="page approvals-page">
      <div className="page-header">
        <h1>Approvals</h1>
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented control; a <fieldset> would bring its own box and legend styling for the same semantics */}
        <div className="segmented" role="group" aria-label="Which approvals">
          <button type="button" aria-pressed={view === 'pending'} onClick={() => setView('pending')} data-testid="show-pending">
            Pending{view === 'pending' && list.data ? ` (${list.data.length})` : ''}
          </button>
          <button type="button" aria-pressed={view === 'decided'} onClick={() => setView('decided')} data-testid="show-decided">
            Decided
          </button>
        </div>
        <span className="spacer" />
        <span className={`live-indicator${list.error ? ' stale' : ''}`} title={list.error ? 'The last refresh failed; retrying' : 'Refreshes on its own'}>
          {list.error ? 'reconnecting' : 'live'}
        </span>
      </div>
      {link && <LinkedApproval token={link} onDecided={decided} onApproval={setLinkedId} />}
      {list.error && <ApiErrorBanner error={list.error} doing="Loading approvals" onRetry={list.refresh} />}
      {link && <h2 className="section-title">All approvals</h2>}
      {!items ? (
        !list.error && <div className="empty">Loading approvals…</div>
      ) : items.length === 0 ? (
        <div className="card">
          {view === 'pending' ? (
            <div className="empty" data-testid="approvals-empty">
              <p>{link ? 'Nothing else is waiting for a decision.' : 'Nothing is waiting for a decision.'}</p>
              <p className="small">
                When a run reaches an "Ask for approval" step it pauses and appears here, with what already ran and exactly
                what approving would run. If nobody decides in time it takes its "timeout" path.
              </p>
            </div>
          ) : (
            <div className="empty">No approval has been decided yet.</div>
          )}
        </div>
      ) : (
        <div className="approval-list">
          {items.map((a) => (
            <ApprovalCard key={a.id} approval={a} onDecided={decided} />
          ))}
        </div>
      )}
    </div>
  );
}
