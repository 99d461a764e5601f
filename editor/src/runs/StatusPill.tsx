/** Status words as people write them: `needs_attention` → "needs attention". */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

/** A `.status.<status>` pill (colours in app.css / runs.css). */
export function StatusPill({ status, testId, title }: { status: string; testId?: string; title?: string }) {
  return (
    <span className={`status ${status}`} data-testid={testId} data-status={status} title={title}>
      {statusLabel(status)}
    </span>
  );
}
