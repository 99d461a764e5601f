import { useMemo } from 'react';
import { FlowDiagram } from '../canvas/FlowDiagram.js';
import type { Comparison } from './HistoryPanel.js';
import { compareCanvas, diffSummary } from './revision-compare.js';

/**
 * Drawn over the editing canvas while the History tab compares two revisions: the newer one
 * read-only, with added, removed, changed and moved steps marked. The canvas underneath keeps
 * the operator's work; "Back to editing" uncovers it.
 */
export function RevisionCompareCanvas({ comparison, selectedNodeId, onNodeClick, onClose }: { comparison: Comparison; selectedNodeId?: string; onNodeClick: (id: string) => void; onClose: () => void }) {
  const drawn = useMemo(() => compareCanvas(comparison.older, comparison.newer, comparison.diff), [comparison]);
  return (
    <div className="revision-compare" data-testid="revision-compare">
      <div className="revision-compare-bar">
        <strong>
          Comparing revision {comparison.from} → {comparison.to}
        </strong>
        <span className="muted">{diffSummary(comparison.diff)} · read-only</span>
        <span className="revision-compare-legend" aria-hidden="true">
          <span className="legend legend-added">added</span>
          <span className="legend legend-removed">removed</span>
          <span className="legend legend-changed">changed</span>
        </span>
        <button type="button" className="small" onClick={onClose} data-testid="compare-close">
          Back to editing
        </button>
      </div>
      <div className="revision-compare-diagram">
        <FlowDiagram flow={drawn.flow} overlay={drawn.overlay} highlightedEdges={drawn.highlightedEdges ?? undefined} selectedNodeId={selectedNodeId} onNodeClick={onNodeClick} />
      </div>
    </div>
  );
}
