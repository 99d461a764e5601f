import { RefreshCw, X } from 'lucide-react';

/** The list could not be loaded or refreshed; polling goes on, and Try again asks now. */
export function FlowsLoadError({ error, loaded, loadedAt, refreshMs, onRetry }: { error: Error; loaded: boolean; loadedAt: Date | undefined; refreshMs: number; onRetry: () => void }) {
  return (
    <div className={`banner ${loaded ? 'warning' : 'error'} row`} role="alert" data-testid="flows-load-error">
      <span>
        {loaded
          ? `Could not refresh the list: ${error.message}. Showing it as loaded at ${loadedAt?.toLocaleTimeString() ?? 'first'}; trying again every ${refreshMs / 1000} s.`
          : `Could not load the flows: ${error.message}. Trying again every ${refreshMs / 1000} s.`}
      </span>
      <span className="spacer" />
      <button type="button" className="small" onClick={onRetry}>
        <RefreshCw size={14} aria-hidden="true" /> Try again
      </button>
    </div>
  );
}

/** A page-wide failure (Export all), shown until dismissed. */
export function PageError({ message, onDismiss }: { message: string; onDismiss: () => void }) {
  return (
    <div className="banner error row" role="alert">
      <span>{message}</span>
      <span className="spacer" />
      <button type="button" className="ghost icon small" aria-label="Dismiss" onClick={onDismiss}>
        <X size={14} />
      </button>
    </div>
  );
}
