import { formatPath } from '../../../shared/errors.js';

export interface ShownIssue {
  path: (string | number)[];
  message: string;
  /** File the issue is in, when several were sent together. */
  source?: string;
  flowId?: string;
  flowName?: string;
}

/**
 * Every issue, each with its path (`flows[1].nodes[2].config.url`) on one line and the message
 * under it: paths differ in length, and a message that starts at a different place on every
 * line is hard to scan.
 */
export function IssueList({ issues, testId }: { issues: readonly ShownIssue[]; testId?: string }) {
  return (
    <ul className="issues flow-issues" data-testid={testId}>
      {issues.map((issue, i) => (
        <li key={i} data-testid="issue">
          <span className="flow-issue-where">
            {issue.source && <span className="flow-issue-source">{issue.source}</span>}
            <code className="issue-path">{formatPath(issue.path)}</code>
            {(issue.flowName ?? issue.flowId) && <span className="muted small">in “{issue.flowName ?? issue.flowId}”</span>}
          </span>
          <span className="flow-issue-message">{issue.message}</span>
        </li>
      ))}
    </ul>
  );
}
