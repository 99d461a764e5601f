import { CornerLeftUp, CornerRightDown } from 'lucide-react';
import type { CalledRun, ExecutionDetail } from '../../../shared/api-views.js';
import { hrefFor } from '../router.js';
import { StatusPill } from './StatusPill.js';

/** Above a run another run started: which run called it, and from which step, with a link back. */
export function CalledBy({ run }: { run: ExecutionDetail }) {
  if (!run.parentExecutionId) return null;
  return (
    <div className="banner info row call-link" data-testid="run-called-by">
      <CornerLeftUp size={16} aria-hidden="true" />
      <span>
        Called by run{' '}
        <a className="mono" href={hrefFor({ page: 'run', id: run.parentExecutionId })}>
          {run.parentExecutionId}
        </a>
        {run.callDepth > 1 ? ` (${run.callDepth} calls deep)` : ''}: its calling step continues on this run's outcome, with its outputs.
      </span>
    </div>
  );
}

/** Under a step that called another flow: the run it started, its status and a link to it. */
export function CalledRuns({ runs }: { runs: readonly CalledRun[] }) {
  if (runs.length === 0) return null;
  return (
    <div className="stack call-link" data-testid="step-called-runs">
      {runs.map((r) => (
        <div key={r.id} className="row">
          <CornerRightDown size={16} aria-hidden="true" />
          <span>
            Called flow <span className="mono">{r.flowId}</span>:{' '}
            <a className="mono" href={hrefFor({ page: 'run', id: r.id })}>
              run {r.id}
            </a>
          </span>
          <StatusPill status={r.status} />
        </div>
      ))}
    </div>
  );
}
