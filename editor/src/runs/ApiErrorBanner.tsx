import { RotateCw } from 'lucide-react';
import { ApiError } from '../api/client.js';

/**
 * An API failure as a banner: what was being done, the server's message, and its status and
 * code (what one searches logs or docs for), plus validation issues when there are any.
 */
export function ApiErrorBanner({ error, doing, onRetry }: { error: Error; doing: string; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="banner error api-error" role="alert">
      <div className="row">
        <strong>{doing} failed:</strong>
        <span>{error.message}</span>
        <span className="spacer" />
        {api && api.status > 0 && (
          <span className="muted small mono">
            {api.status} {api.code}
          </span>
        )}
        {onRetry && (
          <button type="button" className="small" onClick={onRetry}>
            <RotateCw size={14} aria-hidden="true" /> Try again
          </button>
        )}
      </div>
      {api && api.issues.length > 0 && (
        <ul className="issues">
          {api.issues.map((issue, i) => (
            <li key={i}>
              <span className="issue-path">{issue.path.join('.') || '(body)'}</span>
              <span>{issue.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
