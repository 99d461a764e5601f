import { useEffect, useMemo, useRef, useState } from 'react';
import type { Flow } from '../../../shared/flow/schema.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import { ACTIVE_EXECUTION_STATUSES } from '../../../shared/statuses.js';
import type { Step } from '../../../shared/api-views.js';
import { FlowDiagram } from '../canvas/FlowDiagram.js';
import type { CanvasOverlay } from '../canvas/overlay.js';
import { hrefFor } from '../router.js';
import { usePolling } from '../ui/usePolling.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { defaultSelection, runMarks, takenEdges } from '../runs/marks.js';
import { RunHeader } from '../runs/RunHeader.js';
import { StepPanel } from '../runs/StepPanel.js';
import { StepStrip } from '../runs/StepStrip.js';
import { RunGuard } from '../limits/RunGuard.js';
import '../styles/runs.css';

/** How often an active run is fetched again. */
const ACTIVE_POLL_MS = 2000;
const HELD_POLL_MS = 5000;

/** A key that changes only when something drawn on the diagram changes (not on every poll). */
const stepsKey = (steps: readonly Step[]) => steps.map((s) => `${s.id}:${s.status}:${s.port ?? ''}`).join('|');

/**
 * One run (`#/runs/<id>`): its header, the flow revision it ran with each node coloured by
 * what happened there, and the selected node's steps in a side panel.
 */
/** `onApprovalsChanged` lets the top bar's pending count follow a decision made here at once. */
export function RunPage({ executionId, onApprovalsChanged }: { executionId: string; onApprovalsChanged?: () => void }) {
  // Loaded once here; refreshed below only while the run can still change.
  const run = usePolling(() => call(api.executions[':id'].$get(idParam(executionId))), 0, [executionId]);
  const detail = run.data;
  const active = detail ? ACTIVE_EXECUTION_STATUSES.includes(detail.status) : false;
  // A held run changes when someone releases or cancels it, perhaps elsewhere: looked at less often.
  const held = detail?.status === 'held';
  const { refresh } = run;

  useEffect(() => {
    if (!active && !held) return;
    const timer = setInterval(
      () => {
        if (document.visibilityState === 'visible') refresh();
      },
      active ? ACTIVE_POLL_MS : HELD_POLL_MS,
    );
    return () => clearInterval(timer);
  }, [active, held, refresh]);

  // A revision never changes, so keep the first copy: a new object on every poll would make
  // the diagram rebuild its nodes for nothing.
  const flowRef = useRef<{ key: string; flow: Flow | null }>(undefined);
  const flowKey = detail ? `${detail.flowId}@${detail.flowRevision}` : '';
  if (detail && flowRef.current?.key !== flowKey) flowRef.current = { key: flowKey, flow: detail.flow };
  const flow = flowRef.current?.flow ?? null;

  const steps = detail?.steps ?? [];
  // Every poll brings a new steps array: keep the first copy until something drawn on the
  // diagram changes, so the overlay and the taken edges are not rebuilt for nothing.
  const drawnRef = useRef<{ key: string; steps: readonly Step[] }>(undefined);
  const key = stepsKey(steps);
  if (drawnRef.current?.key !== key) drawnRef.current = { key, steps };
  const drawnSteps = drawnRef.current.steps;
  const status = detail?.status;
  const overlay = useMemo<CanvasOverlay>(
    () => ({ issues: new Map(), marks: flow && status ? runMarks(flow, drawnSteps, status) : new Map() }),
    [flow, drawnSteps, status],
  );
  const edges = useMemo(() => takenEdges(drawnSteps), [drawnSteps]);

  const [picked, setPicked] = useState<string>();
  // "Review and decide" brings the decision into view: on a phone it is below the header.
  const review = (nodeId: string) => {
    setPicked(nodeId);
    requestAnimationFrame(() => document.querySelector('.step-approval.pending')?.scrollIntoView({ block: 'nearest' }));
  };
  // Until someone picks a node, follow the step that needs a look (it moves while a run is live).
  const selected = picked ?? defaultSelection(steps);

  if (!detail) {
    if (run.error) {
      const missing = run.error instanceof ApiError && run.error.status === 404;
      return (
        <div className="page">
          {missing ? (
            <div className="banner error" role="alert">
              There is no run <code>{executionId}</code>. <a href={hrefFor({ page: 'runs' })}>See all runs</a>
            </div>
          ) : (
            <ApiErrorBanner error={run.error} doing="Loading the run" onRetry={refresh} />
          )}
        </div>
      );
    }
    return <div className="empty">Loading run…</div>;
  }

  const flowName = flow?.name ?? detail.flowId;

  return (
    <div className="run-view">
      <div className="run-top">
        <RunHeader
          run={detail}
          flowName={flowName}
          onChanged={refresh}
          onReview={review}
          guard={<RunGuard run={detail} flowName={flowName} onChanged={refresh} />}
        />
        {run.error && (
          <div className="run-refresh-error">
            <ApiErrorBanner error={run.error} doing="Refreshing" onRetry={refresh} />
          </div>
        )}
      </div>
      <div className="run-body">
        <div className="run-canvas">
          {flow ? (
            <section className="run-diagram" aria-label={`Flow ${flowName} as this run used it`}>
              <FlowDiagram flow={flow} overlay={overlay} highlightedEdges={edges} selectedNodeId={selected} onNodeClick={setPicked} />
            </section>
          ) : (
            <div className="empty">
              Revision {detail.flowRevision} of flow <code>{detail.flowId}</code> is no longer stored, so the diagram cannot be
              drawn. The steps below are complete.
            </div>
          )}
          <StepStrip flow={flow} steps={steps} selected={selected} onSelect={setPicked} />
        </div>
        <StepPanel
          flow={flow}
          nodeId={selected}
          steps={steps}
          approvals={detail.approvals}
          executionStatus={detail.status}
          alertResolvedAt={detail.alertResolvedAt}
          calledRuns={detail.children}
          onDecided={() => {
            refresh();
            onApprovalsChanged?.();
          }}
        />
      </div>
    </div>
  );
}
