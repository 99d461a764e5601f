import { ArrowRight } from 'lucide-react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { api, call, idParam } from '../api/client.js';
import type { Approval, ApprovalNext, ApprovalStepSummary, ExecutionDetail } from '../../../shared/api-views.js';
import { hrefFor } from '../router.js';
import { usePolling } from '../ui/usePolling.js';
import { AlertResolvedBanner } from './AlertResolvedBanner.js';
import { AlertSummary } from './AlertSummary.js';
import { ApiErrorBanner } from './ApiErrorBanner.js';
import { approvalContextView } from './approval-context.js';
import { ApprovalDecision } from './ApprovalDecision.js';
import { ApprovalOutcome } from './ApprovalOutcome.js';
import { CopyButton } from './CopyButton.js';
import { Deadline } from './Deadline.js';
import { JsonView } from './JsonView.js';
import { commandLine } from './output.js';
import { hasReadableOutput, ReadableOutput } from './ReadableOutput.js';
import { RelativeTime } from './RelativeTime.js';
import { StatusPill } from './StatusPill.js';

/**
 * One approval in the inbox: the question, whether its alert resolved meanwhile, the alert,
 * what already ran, exactly what approving starts, and the decision. Everything needed to
 * decide without opening the run.
 */
export function ApprovalCard({ approval, onDecided, link }: { approval: Approval; onDecided: () => void; /** The approval link the page was opened with: the decision uses it. */ link?: string }) {
  // Servers that do not send `ran`/`next` yet: rebuild them from the execution, once.
  const needsRun = approval.ran === undefined || approval.next === undefined || approval.flowName === undefined;
  const run = usePolling<ExecutionDetail | undefined>(
    () => (needsRun ? call(api.executions[':id'].$get(idParam(approval.executionId))) : Promise.resolve(undefined)),
    0,
    [approval.executionId, needsRun],
  );
  const ctx = approvalContextView(approval, run.data);
  const pending = approval.status === 'pending';
  const alert = approval.alert ?? run.data?.alert;
  const alertResolvedAt = approval.alertResolvedAt ?? run.data?.alertResolvedAt ?? null;
  // Once decided, "runs if approved" would read as a promise; say what approving starts instead.
  const nextHeading = pending ? 'What runs if approved' : 'What approving starts';

  return (
    <article className="card approval-card" data-testid={`approval-${approval.id}`} aria-labelledby={`approval-title-${approval.id}`}>
      <div className="card-body stack">
        <div className="row approval-meta">
          <StatusPill status={approval.status} />
          <span>
            <strong>{ctx.flowName ?? approval.flowId ?? 'Unknown flow'}</strong>
            {approval.flowId && ctx.flowName && <span className="mono small muted"> {approval.flowId}</span>}
          </span>
          <span className="muted small">
            asked <RelativeTime iso={approval.createdAt} />
          </span>
          <span className="spacer" />
          {pending && (
            <span className="approval-deadline">
              <Deadline iso={approval.deadlineAt} />
            </span>
          )}
          <a className="button small" href={hrefFor({ page: 'run', id: approval.executionId })}>
            Open run <ArrowRight size={14} aria-hidden="true" />
          </a>
        </div>
        <h2 className="approval-message" id={`approval-title-${approval.id}`}>
          {approval.message}
        </h2>
        <AlertResolvedBanner resolvedAt={alertResolvedAt} requestedAt={approval.createdAt} pending={pending} testId={`approval-resolved-${approval.id}`} />
        <AlertSummary alert={alert} resolvedAt={alertResolvedAt} />
        {run.error && <ApiErrorBanner error={run.error} doing="Loading what this run did" onRetry={run.refresh} />}
        <div className="approval-columns">
          <section aria-label="What already ran">
            <h3>What already ran</h3>
            <RanList ran={ctx.ran} loading={needsRun && !run.data && !run.error} />
          </section>
          <section aria-label={nextHeading}>
            <h3>{nextHeading}</h3>
            <NextList next={ctx.next} loading={needsRun && !run.data && !run.error} unrendered={ctx.nextUnrendered} />
          </section>
        </div>
        {pending ? <ApprovalDecision approval={approval} onDecided={onDecided} {...(link ? { link } : {})} /> : <ApprovalOutcome approval={approval} />}
      </div>
    </article>
  );
}

function RanList({ ran, loading }: { ran: ApprovalStepSummary[]; loading: boolean }) {
  if (loading) return <div className="muted small">Loading…</div>;
  if (ran.length === 0) return <div className="muted small">Nothing ran before this approval.</div>;
  return (
    <ol className="ran-list">
      {ran.map((s, i) => (
        <li key={`${s.nodeId}-${i}`}>
          <details>
            <summary>
              <StatusPill status={s.status} />
              <strong>{s.label}</strong>
              <span className="mono small muted">{s.nodeId}</span>
              {s.port && <span className="port-chip">→ {s.port}</span>}
              <span className="spacer" />
              {s.endedAt && (
                <span className="muted small">
                  <RelativeTime iso={s.endedAt} />
                </span>
              )}
            </summary>
            <div className="ran-detail stack">
              {s.error && <div className="tone-error">{s.error}</div>}
              {hasReadableOutput(s.nodeType, s.output) ? (
                <>
                  <ReadableOutput nodeType={s.nodeType} output={s.output} />
                  <JsonView title="Raw output" value={s.output} collapsed />
                </>
              ) : (
                <JsonView title="Output" value={s.output} />
              )}
            </div>
          </details>
          {s.error && <div className="tone-error small ran-error">{s.error}</div>}
        </li>
      ))}
    </ol>
  );
}

function NextList({ next, loading, unrendered }: { next: ApprovalNext[]; loading: boolean; unrendered: boolean }) {
  if (loading) return <div className="muted small">Loading…</div>;
  if (next.length === 0) return <div className="muted small">Nothing more: approving ends the run here.</div>;
  return (
    <ul className="next-list">
      {next.map((n) => {
        const line = n.rendered !== undefined ? commandLine(n.nodeType, n.rendered) : null;
        return (
          <li key={n.nodeId} className="stack">
            <div className="row">
              <strong>{n.label}</strong>
              <span className="muted small">
                <span className="mono">{n.nodeId}</span> · {getNodeDefinition(n.nodeType)?.label ?? n.nodeType}
              </span>
            </div>
            {n.error ? (
              <div className="banner error">Cannot be prepared: {n.error}</div>
            ) : (
              <>
                {line && (
                  <div className="command-line">
                    <pre className="code-block" data-testid={`next-command-${n.nodeId}`}>
                      {line}
                    </pre>
                    <CopyButton text={line} what="command" />
                  </div>
                )}
                <JsonView title={unrendered ? 'Config (as written)' : 'Rendered config'} value={n.rendered} collapsed={line !== null} />
                {unrendered && <div className="muted small">Templates are shown as written: this server does not send the rendered config yet.</div>}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
