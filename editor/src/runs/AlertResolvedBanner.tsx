import { CircleCheck } from 'lucide-react';
import { resolvedNotice } from './alert-resolved.js';
import { RelativeTime } from './RelativeTime.js';

/**
 * "The alert has resolved. That was 4 min after this approval was requested…": shown on an approval whose run's alert
 * resolved, above the question, so nobody approves a fix for a problem that went away without
 * knowing it. Nothing while the alert is still firing.
 */
export function AlertResolvedBanner({ resolvedAt, requestedAt, pending, testId }: { resolvedAt: string | null | undefined; requestedAt: string; pending: boolean; testId?: string }) {
  const notice = resolvedNotice(resolvedAt, requestedAt, pending);
  if (!notice || !resolvedAt) return null;
  return (
    <div className={`banner ${notice.tone} row alert-resolved-banner`} role={pending ? 'alert' : undefined} data-testid={testId}>
      <CircleCheck size={18} aria-hidden="true" />
      <span>
        <strong>{notice.title}</strong> {notice.text}{' '}
        <span className="muted small">
          (resolved <RelativeTime iso={resolvedAt} />)
        </span>
      </span>
    </div>
  );
}
