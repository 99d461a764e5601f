import { useMemo } from 'react';
import type { ReplayRun } from '../../../shared/flow/replay-compare.js';
import type { CanvasOverlay } from '../canvas/overlay.js';
import { overlayFromReplay } from './replay-overlay.js';

/** The canvas overlay for the replayed alert chosen on the Replay tab, or null when none is. */
export function useReplayOverlay(run: ReplayRun | undefined, nodeIdsKey: string, issues: CanvasOverlay['issues']) {
  return useMemo(() => {
    if (!run) return null;
    const drawn = overlayFromReplay(run, nodeIdsKey.split('\n'));
    const overlay: CanvasOverlay = { issues, marks: drawn.marks };
    return { overlay, highlightedEdges: null, edgeClasses: drawn.edges, missing: drawn.savedOnlyMissing };
  }, [run, nodeIdsKey, issues]);
}
