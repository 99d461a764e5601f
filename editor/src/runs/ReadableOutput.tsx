import { StatusPill } from './StatusPill.js';
import { JsonView, TextView } from './JsonView.js';
import { asHttpOutput, asShellOutput } from './output.js';
import { formatDuration } from '../../../nodes/format.js';

/**
 * A step's output as a person reads it, for the node types where JSON is in the way: a
 * command's exit code, stdout and stderr; an HTTP response's status and body. Other types
 * return null and their output is shown as JSON by the caller.
 */
export function ReadableOutput({ nodeType, output }: { nodeType: string; output: unknown }) {
  if (nodeType === 'action.shell') {
    const shell = asShellOutput(output);
    if (!shell) return null;
    const outcome = shell.timedOut
      ? 'timed out'
      : shell.exitCode === null
        ? `killed by ${shell.signal ?? 'a signal'}`
        : `exit code ${shell.exitCode}`;
    return (
      <div className="readable-output stack">
        <dl className="kv">
          <dt>Result</dt>
          <dd>
            <span className={shell.exitCode === 0 && !shell.timedOut ? 'tone-ok' : 'tone-error'}>{outcome}</span>
          </dd>
          <dt>Took</dt>
          <dd>{formatDuration(shell.durationMs, 'ms')}</dd>
        </dl>
        <TextView title="stdout" text={shell.stdout} />
        {(shell.stderr || shell.exitCode !== 0) && <TextView title="stderr" text={shell.stderr} tone={shell.stderr ? 'error' : undefined} />}
      </div>
    );
  }
  if (nodeType === 'action.http') {
    const http = asHttpOutput(output);
    if (!http) return null;
    const ok = http.status !== null && http.status >= 200 && http.status < 300;
    const contentType = http.headers?.['content-type'];
    return (
      <div className="readable-output stack">
        <dl className="kv">
          <dt>HTTP status</dt>
          <dd>
            {http.status === null ? <StatusPill status="error" title="No answer" /> : <span className={`http-status ${ok ? 'tone-ok' : 'tone-error'}`}>{http.status}</span>}
          </dd>
          {http.durationMs !== undefined && (
            <>
              <dt>Took</dt>
              <dd>{formatDuration(http.durationMs, 'ms')}</dd>
            </>
          )}
          {contentType && (
            <>
              <dt>Content type</dt>
              <dd className="mono">{contentType}</dd>
            </>
          )}
          {http.headers?.location && (
            <>
              <dt>Location</dt>
              <dd className="mono">{http.headers.location}</dd>
            </>
          )}
        </dl>
        {http.error && <div className="tone-error">{http.error}</div>}
        {http.truncated && <div className="muted small">The response was cut at 1 MiB.</div>}
        {'body' in http &&
          (typeof http.body === 'string' ? <TextView title="Response body" text={http.body} /> : <JsonView title="Response body" value={http.body} />)}
      </div>
    );
  }
  return null;
}

/** Whether ReadableOutput has something to show for this output. */
export function hasReadableOutput(nodeType: string, output: unknown): boolean {
  return (nodeType === 'action.shell' && asShellOutput(output) !== null) || (nodeType === 'action.http' && asHttpOutput(output) !== null);
}
