import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { ExecutionStatus } from '../../../shared/statuses.js';
import type { Approval, CalledRun, Step } from '../../../shared/api-views.js';
import { CalledRuns } from './CallLinks.js';
import { NodeIcon } from '../ui/icons.js';
import { ApprovalDecision } from './ApprovalDecision.js';
import { ApprovalOutcome } from './ApprovalOutcome.js';
import { Deadline } from './Deadline.js';
import { JsonView } from './JsonView.js';
import { isFinished } from './marks.js';
import { hasReadableOutput, ReadableOutput } from './ReadableOutput.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusPill } from './StatusPill.js';
import { formatDuration } from '../../../nodes/format.js';
import { elapsed } from './time.js';
import { useNow } from './useNow.js';
import { AlertResolvedBanner } from './AlertResolvedBanner.js';

interface StepPanelProps {
  flow: Flow | null;
  nodeId: string | undefined;
  /** Every step of the run; the panel picks the selected node's. */
  steps: readonly Step[];
  approvals: readonly Approval[];
  executionStatus: ExecutionStatus;
  /** When the run's alert resolved: shown above an approval's decision. */
  alertResolvedAt?: string | null;
  /** The runs this run's steps started (another flow called), linked from their steps. */
  calledRuns?: readonly CalledRun[];
  onDecided: () => void;
}

/** The side panel of the run page: what the selected node did, each time it ran. */
export function StepPanel({ flow, nodeId, steps, approvals, executionStatus, alertResolvedAt, calledRuns = [], onDecided }: StepPanelProps) {
  if (!nodeId) {
    return (
      <aside className="step-panel" data-testid="step-panel" aria-label="Step details">
        <div className="empty">Select a node to see what it did.</div>
      </aside>
    );
  }
  const node = flow?.nodes.find((n) => n.id === nodeId);
  const mine = steps.filter((s) => s.nodeId === nodeId).sort((a, b) => a.seq - b.seq);
  const type = node?.type ?? mine[0]?.nodeType ?? 'unknown';
  const def = getNodeDefinition(type);
  const title = node?.label || def?.label || type;

  return (
    <aside className="step-panel" data-testid="step-panel" aria-label={`Step details: ${title}`}>
      <header className={`step-panel-head cat-${def?.category ?? 'unknown'}`}>
        <span className="salve-node-icon">
          <NodeIcon name={def?.icon ?? 'unknown'} size={15} />
        </span>
        <div className="step-panel-title">
          <h2>{title}</h2>
          <div className="muted small">
            <span className="mono">{nodeId}</span> · {def?.label ?? type}
          </div>
        </div>
      </header>
      {mine.length === 0 ? (
        <div className="step-panel-body stack">
          <p className="muted">
            {isFinished(executionStatus)
              ? 'This node did not run: the run took another path or ended before reaching it.'
              : 'Not reached yet.'}
          </p>
          {node && <JsonView title="Config (as written in the flow)" value={node.config} />}
        </div>
      ) : (
        <div className="step-panel-body">
          {mine.map((step, i) => (
            <StepRun
              key={step.id}
              step={step}
              index={mine.length > 1 ? i + 1 : undefined}
              approval={approvals.find((a) => a.stepId === step.id)}
              alertResolvedAt={alertResolvedAt}
              calledRuns={calledRuns.filter((r) => r.parentStepId === step.id)}
              onDecided={onDecided}
            />
          ))}
        </div>
      )}
    </aside>
  );
}

/** What the time of a waiting step means, by what it waits for. */
const WAKE_LABELS: Readonly<Record<string, string>> = { retry: 'Next try', poll: 'Next probe', delay: 'Wakes', resolved: 'Gives up', call: 'Gives up' };

function StepRun({
  step,
  index,
  approval,
  alertResolvedAt,
  calledRuns,
  onDecided,
}: {
  step: Step;
  index?: number;
  approval?: Approval;
  alertResolvedAt?: string | null;
  calledRuns: readonly CalledRun[];
  onDecided: () => void;
}) {
  const now = useNow();
  const took = elapsed(step.startedAt, step.endedAt, now);
  const readable = hasReadableOutput(step.nodeType, step.output);
  const running = step.status === 'pending' || step.status === 'intent';
  // A step of a loop's item: its scope ends in `#<index>` (the `index` its expressions read).
  const item = /#(\d+)$/.exec(step.scope ?? '')?.[1];
  return (
    <section className="step-run stack" data-testid={`step-${step.id}`}>
      <div className="row">
        {item !== undefined ? <h3>Item {Number(item) + 1}</h3> : index !== undefined && <h3>Run {index}</h3>}
        <StatusPill status={step.status} />
        {step.port && (
          <span className="port-chip" title="The output port this step took">
            → {step.port}
          </span>
        )}
      </div>
      <dl className="kv">
        <dt>Started</dt>
        <dd>
          <RelativeTime iso={step.startedAt} empty="not yet" />
        </dd>
        <dt>Ended</dt>
        <dd>
          <RelativeTime iso={step.endedAt} empty={step.status === 'waiting' ? 'waiting' : running ? 'running' : '—'} />
        </dd>
        <dt>Took</dt>
        <dd>{took === null ? '—' : `${formatDuration(took, 'ms')}${step.endedAt ? '' : ' so far'}`}</dd>
        {item !== undefined && (
          <>
            <dt>Loop item</dt>
            <dd>index {item}</dd>
          </>
        )}
        <dt>Attempt</dt>
        <dd>{step.attempt}</dd>
        {step.wakeAt && step.status === 'waiting' && (
          <>
            <dt>{approval ? 'Deadline' : WAKE_LABELS[step.waitReason ?? ''] ?? 'Wakes'}</dt>
            <dd>{approval ? <Deadline iso={step.wakeAt} /> : <RelativeTime iso={step.wakeAt} />}</dd>
          </>
        )}
        <dt>Step id</dt>
        <dd className="mono small">{step.id}</dd>
      </dl>
      {step.status === 'unknown' ? (
        // The server's own words already explain an interrupted step; ours only stand in when it sent none.
        <div className="banner warning step-error">
          <strong>Outcome unknown:</strong>{' '}
          {step.error ??
            'this step was interrupted. Salve did not run it again, because running it twice may not be safe. Check the target and decide what to do by hand.'}
        </div>
      ) : (
        step.error && (
          <div className="banner error step-error">
            <strong>{step.status === 'retried' ? 'Error (tried again):' : 'Error:'}</strong> {step.error}
          </div>
        )
      )}
      {approval && (
        <section className={`step-approval stack${approval.status === 'pending' ? ' pending' : ''}`}>
          <h3>Approval</h3>
          <p className="approval-message-inline">{approval.message}</p>
          <AlertResolvedBanner resolvedAt={alertResolvedAt} requestedAt={approval.createdAt} pending={approval.status === 'pending'} />
          {approval.status === 'pending' ? <ApprovalDecision approval={approval} onDecided={onDecided} /> : <ApprovalOutcome approval={approval} />}
        </section>
      )}
      <CalledRuns runs={calledRuns} />
      {readable && <ReadableOutput nodeType={step.nodeType} output={step.output} />}
      <JsonView title="Rendered config" value={step.config} />
      <JsonView title={readable ? 'Raw output' : 'Output'} value={step.output} collapsed={readable} />
      <JsonView title="Input" value={step.input} collapsed />
    </section>
  );
}
