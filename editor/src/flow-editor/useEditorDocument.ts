import { useDeferredValue, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Flow } from '../../../shared/flow/schema.js';
import { currentFlow, useEditor } from '../canvas/store.js';
import { hasUnsavedWork } from './unsaved.js';

/**
 * The flow being edited as the editor's parts read it: the store's canvas state, the document it
 * makes, whether that is saved, the saved revision's document, and the selection.
 */
export function useEditorDocument() {
  const s = useEditor(
    useShallow((st) => ({
      meta: st.meta,
      nodes: st.nodes,
      edges: st.edges,
      notes: st.notes,
      revision: st.revision,
      savedJson: st.savedJson,
      canUndo: st.past.length > 0,
      canRedo: st.future.length > 0,
    })),
  );
  // The document, its problems and the dirty flag follow the canvas a frame behind: a drag of a
  // big flow redraws the canvas first and recomputes these when the browser has time.
  const docNodes = useDeferredValue(s.nodes);
  const docEdges = useDeferredValue(s.edges);
  const docNotes = useDeferredValue(s.notes);
  const flow = useMemo(() => currentFlow({ meta: s.meta, nodes: docNodes, edges: docEdges, notes: docNotes }), [s.meta, docNodes, docEdges, docNotes]);
  const flowJson = useMemo(() => JSON.stringify(flow), [flow]);
  const dirty = useMemo(() => hasUnsavedWork(flow, s.revision, s.savedJson), [flow, s.revision, s.savedJson]);
  // Run now runs the saved revision: the document as last loaded or saved.
  const savedFlow = useMemo(() => (s.savedJson ? (JSON.parse(s.savedJson) as Flow) : null), [s.savedJson]);

  const selectedNodes = s.nodes.filter((n) => n.selected);
  // Keyed by the ids, not the nodes: what depends on them must not change on every drag frame.
  const nodeIdsKey = s.nodes.map((n) => n.id).join('\n');

  return {
    ...s,
    isNew: s.revision === null,
    /** The nodes as the document has them (a frame behind the canvas). */
    docNodes,
    flow,
    flowJson,
    dirty,
    savedFlow,
    selectedNodes,
    nodeIdsKey,
  };
}
