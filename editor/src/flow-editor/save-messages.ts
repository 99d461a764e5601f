import { formatPath } from '../../../shared/errors.js';
import { ApiError } from '../api/client.js';

/** Someone else saved the flow since it was loaded: their revision, and the server's words. */
export interface SaveConflict {
  currentRevision: number;
  message: string;
}

/** Why the editor does not even send a save, or null when it may. */
export function saveBlocker(nodeCount: number, problemCount: number): string | null {
  if (nodeCount === 0) return 'Add at least an alert source before saving.';
  if (problemCount > 0) return `Fix ${problemCount} problem${problemCount === 1 ? '' : 's'} before saving (listed under the canvas).`;
  return null;
}

/** The conflict a refused save of a saved flow reports (409 naming the current revision), else null. */
export function conflictOf(error: unknown, editedRevision: number | null): SaveConflict | null {
  if (!(error instanceof ApiError) || error.status !== 409 || editedRevision === null) return null;
  const current = (error.details as { currentRevision?: number } | undefined)?.currentRevision;
  return current ? { currentRevision: current, message: error.message } : null;
}

/** A refused save in one line: each problem the server found at its path, or its message. */
export function notSavedText(error: unknown): string {
  const issues = error instanceof ApiError ? error.issues : [];
  return issues.length > 0 ? `Not saved: ${issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}` : `Not saved: ${(error as Error).message}`;
}
