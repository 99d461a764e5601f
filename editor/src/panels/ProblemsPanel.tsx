import { CircleCheck, TriangleAlert } from 'lucide-react';
import { formatPath } from '../../../shared/errors.js';
import type { LocatedIssue } from '../canvas/validation.js';

/**
 * Every problem the server would report on save, with its path. Clicking one selects the node
 * it belongs to, so the config panel opens on it.
 */
export function ProblemsPanel({ issues, onSelect, open, onToggle }: { issues: readonly LocatedIssue[]; onSelect: (issue: LocatedIssue) => void; open: boolean; onToggle: (open: boolean) => void }) {
  const bad = issues.length > 0;
  return (
    <details className={`problems ${bad ? 'bad' : 'ok'}`} open={open && bad} onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)} data-testid="problems">
      <summary>
        {bad ? <TriangleAlert size={14} aria-hidden="true" /> : <CircleCheck size={14} aria-hidden="true" />}
        {bad ? `${issues.length} problem${issues.length === 1 ? '' : 's'} — the flow cannot be saved until they are fixed` : 'No problems'}
      </summary>
      {bad && (
        <ul className="issues">
          {issues.map((issue, i) => (
            <li key={i}>
              {/* A real button: Enter and Space select the node, and it is announced as one. */}
              <button type="button" className="problem-row" onClick={() => onSelect(issue)} data-testid="problem">
                <span className="issue-path">{formatPath(issue.path)}</span>
                <span>{issue.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
