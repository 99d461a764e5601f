import { parseTime, span } from './time.js';

/**
 * What an approver must know when the alert behind a run resolved: the fix they are asked to
 * approve may be for a problem that went away. Pure, so the card and the tests share it.
 */
export interface ResolvedNotice {
  /** `warning` while the approval waits (read it before deciding), `info` once decided. */
  tone: 'warning' | 'info';
  title: string;
  text: string | null;
}

/** Null when the alert has not resolved (or the times are unreadable). */
export function resolvedNotice(resolvedAt: string | null | undefined, requestedAt: string, pending: boolean): ResolvedNotice | null {
  const resolved = parseTime(resolvedAt);
  const requested = parseTime(requestedAt);
  if (resolved === null || requested === null) return null;
  const gap = resolved - requested;
  // Alertmanager's endsAt and Salve's clock differ by seconds: call that "as it was asked".
  const when =
    Math.abs(gap) < 5000 ? 'right when this approval was requested' : gap > 0 ? `${span(gap)} after this approval was requested` : `${span(-gap)} before this approval was requested`;
  if (!pending) return { tone: 'info', title: `The alert resolved ${when}.`, text: null };
  return {
    tone: 'warning',
    title: 'The alert has resolved.',
    text: `That was ${when}: the problem may have gone away. Check that the fix is still needed before approving.`,
  };
}
