import { Zap } from 'lucide-react';
import type { FlowSummary } from '../../../shared/api-views.js';
import { formatRelative } from '../runs/time.js';
import '../styles/limits.css';

/** On the flows list: "Breaker tripped" while the flow's circuit breaker holds its new runs. */
export function BreakerBadge({ flow, now }: { flow: FlowSummary; now: number }) {
  const at = flow.breaker?.trippedAt;
  if (at === undefined) return null;
  const iso = new Date(at).toISOString();
  return (
    <span
      className="status breaker-badge"
      title={`Circuit breaker tripped ${formatRelative(iso, now)} (${iso}): its new runs are held until someone resets it in the flow editor.`}
      data-testid={`breaker-badge-${flow.id}`}
    >
      <Zap size={12} aria-hidden="true" /> Breaker tripped
    </span>
  );
}
