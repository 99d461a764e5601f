import type { Flow } from '../../../shared/flow/schema.js';
import { canonicalJson, currentFlow, useEditor } from '../canvas/store.js';

/**
 * Whether the editor holds work that is not saved: for a new flow, any node or note; for a saved one,
 * a document whose meaning (configs with defaults filled) differs from the saved revision's.
 */
export function hasUnsavedWork(flow: Flow, revision: number | null, savedJson: string): boolean {
  return revision === null ? flow.nodes.length > 0 || (flow.notes?.length ?? 0) > 0 : canonicalJson(flow) !== savedJson;
}

/** The same, read from the editor store outside React (for the leave guard). */
export function editorIsDirty(): boolean {
  const st = useEditor.getState();
  return hasUnsavedWork(currentFlow(st), st.revision, st.savedJson);
}
