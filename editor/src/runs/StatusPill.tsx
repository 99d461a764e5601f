import '../styles/limits.css';
/** Status words as people write them: `needs_attention` → "needs attention". */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

/** Hover text for statuses whose word alone may mislead (steps and approvals share the other words). */
const STATUS_HELP: Record<string, string> = {
  no_action: 'Ended without running any action or approval step: a condition let the alert go',
  retried: 'This try failed (or a check did not pass yet) and the step ran again: the next row is the next try',
};

/** A `.status.<status>` pill (colours in app.css / runs.css). */
export function StatusPill({ status, testId, title }: { status: string; testId?: string; title?: string }) {
  return (
    <span className={`status ${status}`} data-testid={testId} data-status={status} title={title ?? STATUS_HELP[status]}>
      {statusLabel(status)}
    </span>
  );
}
