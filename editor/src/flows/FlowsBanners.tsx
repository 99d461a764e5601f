import { RefreshCw, X } from 'lucide-react';
import { api, call } from '../api/client.js';
import { usePolling } from '../ui/usePolling.js';
import { IssueList } from './IssueList.js';

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

/**
 * Files of the flows directory (`salve serve --flows`) that were not applied, each with every
 * problem: what runs is their last valid version until the file is fixed in git.
 */
export function ProvisioningProblems() {
  const status = usePolling(() => call(api.provisioning.$get()), 15_000, []);
  const invalid = status.data?.files.filter((f) => f.status === 'invalid') ?? [];
  if (invalid.length === 0) return null;
  return (
    <div className="banner warning" role="alert" data-testid="provisioning-problems">
      <strong>
        {invalid.length === 1 ? 'A flow file is invalid' : `${invalid.length} flow files are invalid`}: nothing of it is applied, and flows it held before keep
        running as last applied until the file is fixed in git.
      </strong>
      {invalid.map((f) => (
        <div key={f.file} data-testid={`provisioning-file-${f.file}`}>
          <code>{f.file}</code>
          <IssueList issues={f.errors ?? []} />
        </div>
      ))}
    </div>
  );
}
