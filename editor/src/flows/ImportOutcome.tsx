import type { Ref } from 'react';
import { CheckCircle2 } from 'lucide-react';
import { ApiError } from '../api/client.js';
import { Dialog } from '../ui/Dialog.js';
import { howToRetry } from './import-messages.js';
import { locateIssue, type ImportPlan } from './import-plan.js';
import type { ImportedRow } from './import-summary.js';
import { IssueList } from './IssueList.js';
import { RouteLink } from './RouteLink.js';

/** Nothing was imported: the server's problems, each at its file (or pasted text) and path, and how to retry. */
export function ImportFailure({ error, plan, ref }: { error: ApiError | Error; plan: ImportPlan; ref: Ref<HTMLDivElement> }) {
  const issues = error instanceof ApiError ? error.issues.map((i) => locateIssue(i, plan)) : [];
  return (
    <div ref={ref} tabIndex={-1} className="banner error flow-import-failure" role="alert" data-testid="import-error">
      <p>
        <strong>Nothing was imported.</strong>{' '}
        {issues.length > 0
          ? `The server found ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}. Fix ${issues.length === 1 ? 'it' : 'them'}, then ${howToRetry(plan)}:`
          : error.message}
      </p>
      {issues.length > 0 && <IssueList issues={issues} testId="import-issues" />}
    </div>
  );
}

/** The import succeeded: what it created or replaced, and that everything arrived disabled. */
export function ImportDone({ rows, onClose }: { rows: ImportedRow[]; onClose: () => void }) {
  const replaced = rows.filter((r) => r.replaced);
  const stopped = rows.filter((r) => r.wasEnabled);
  return (
    <Dialog
      title="Import flows"
      wide
      onClose={onClose}
      testId="import-dialog"
      footer={
        <button type="button" className="primary" onClick={onClose} data-autofocus>
          Done
        </button>
      }
    >
      <div className="flow-import-done" role="status" data-testid="import-result">
        <p className="row">
          <CheckCircle2 size={18} className="flow-ok-icon" aria-hidden="true" />
          <strong>
            Imported {rows.length === 1 ? '1 flow' : `${rows.length} flows`}
            {replaced.length > 0 && ` (${replaced.length} as a new revision of an existing flow)`}.
          </strong>
        </p>
        <p>
          {rows.length === 1 ? 'It arrived' : 'They arrived'} <strong>disabled</strong> — enable when ready.
          {stopped.length > 0 && (
            <span className="flow-warn">
              {' '}
              {stopped.length === 1 ? `${stopped[0]!.id} was enabled before and` : `${stopped.length} of them were enabled before and`} no longer
              receive alerts until enabled again.
            </span>
          )}
        </p>
      </div>
      <table className="list flow-preview">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`import-result-${r.id}`}>
              <td className="mono">
                <RouteLink to={{ page: 'flow', id: r.id }}>{r.id}</RouteLink>
              </td>
              <td>{r.name}</td>
              <td>
                {r.replaced ? `Replaced an existing flow: now revision ${r.revision}` : 'New flow, revision 1'}
                {r.wasEnabled && <div className="flow-warn small">Was enabled; now disabled</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
