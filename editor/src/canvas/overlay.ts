import { createContext, useContext } from 'react';

/**
 * What is drawn on top of the nodes without being part of the document: validation problems,
 * a simulation's path, or a past run's step statuses. The canvas gets one overlay at a time.
 */
export type NodeMark =
  | 'taken' // simulation: the alert would pass through this node
  | 'skipped' // simulation or run: not reached
  | 'error' // simulation: rendering or evaluating failed
  | 'succeeded'
  | 'failed'
  | 'waiting'
  | 'running'
  | 'unknown'
  | 'cancelled'
  | 'pending'
  | 'added' // revision comparison: the step is new in the newer revision
  | 'removed' // revision comparison: the step is gone from the newer revision
  | 'changed' // revision comparison: its settings differ
  | 'moved' // revision comparison: only its place on the canvas differs
  | 'replay-both' // replay: both the saved flow and the draft go through this node
  | 'replay-saved' // replay: only the saved flow went through it
  | 'replay-draft'; // replay: only the draft would go through it

export interface NodeMarkInfo {
  mark: NodeMark;
  /** A short note under the node, e.g. `match` or `approved`. */
  note?: string;
}

export interface CanvasOverlay {
  /** Problems per node id (messages). */
  issues: ReadonlyMap<string, readonly string[]>;
  marks: ReadonlyMap<string, NodeMarkInfo>;
}

export const EMPTY_OVERLAY: CanvasOverlay = { issues: new Map(), marks: new Map() };

export const CanvasOverlayContext = createContext<CanvasOverlay>(EMPTY_OVERLAY);

export function useCanvasOverlay(): CanvasOverlay {
  return useContext(CanvasOverlayContext);
}

/** Words for a mark, as the node shows it. */
export const MARK_LABELS: Record<NodeMark, string> = {
  taken: 'Would run',
  skipped: 'Skipped',
  error: 'Error',
  succeeded: 'Succeeded',
  failed: 'Failed',
  waiting: 'Waiting',
  running: 'Running',
  unknown: 'Outcome unknown',
  cancelled: 'Cancelled',
  pending: 'Pending',
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
  moved: 'Moved',
  'replay-both': 'Both paths',
  'replay-saved': 'Saved flow only',
  'replay-draft': 'Draft only',
};
