import type { Flow } from '../../../shared/flow/schema.js';
import type { Step } from '../../../shared/api-views.js';
import { nodeLabel } from './approval-context.js';
import { markForStep } from './marks.js';

/**
 * Every step of the run in order, as buttons under the diagram: the keyboard way to pick a
 * node (the canvas is a mouse surface), and the order things happened in at a glance.
 */
export function StepStrip({ flow, steps, selected, onSelect }: { flow: Flow | null; steps: readonly Step[]; selected?: string; onSelect: (nodeId: string) => void }) {
  if (steps.length === 0) return null;
  const ordered = [...steps].sort((a, b) => a.seq - b.seq);
  return (
    <nav className="step-strip" aria-label="Steps in order">
      <ol>
        {ordered.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              className={`step-chip mark-${markForStep(s.status)}`}
              aria-pressed={s.nodeId === selected}
              onClick={() => onSelect(s.nodeId)}
              title={`${s.nodeId}: ${s.status}${s.port ? ` → ${s.port}` : ''}`}
              data-testid={`step-chip-${s.seq}`}
            >
              <span className="step-seq">{s.seq}</span>
              <span className="step-chip-label">{nodeLabel(flow, s.nodeId, s.nodeType)}</span>
              <span className="step-chip-status">{s.port ?? s.status}</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
