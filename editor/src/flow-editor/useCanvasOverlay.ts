import { useMemo } from 'react';
import type { SimulatedAlert } from '../../../shared/api-views.js';
import type { CanvasOverlay } from '../canvas/overlay.js';
import { overlayFromSimulation } from '../panels/simulation.js';

/** What the canvas draws over the nodes: each node's problems, and the path of the simulated alert shown. */
export function useCanvasOverlay(sim: SimulatedAlert | undefined, nodeIdsKey: string, issues: CanvasOverlay['issues']) {
  // Keyed by the ids, not the nodes: a new overlay would redraw every node on every drag frame.
  const simOverlay = useMemo(() => (sim ? overlayFromSimulation(sim, nodeIdsKey.split('\n')) : null), [sim, nodeIdsKey]);
  const overlay: CanvasOverlay = useMemo(() => ({ issues, marks: simOverlay?.marks ?? new Map() }), [issues, simOverlay]);
  return { overlay, highlightedEdges: simOverlay?.edges ?? null };
}
