import { useCallback, useState } from 'react';
import { api, call, idParam } from '../api/client.js';
import { useEditor } from '../canvas/store.js';
import type { CheckedFlow } from '../canvas/validation.js';
import { toast } from '../ui/toast.js';
import { teamQuery } from '../flows/flows-api.js';
import { conflictOf, notSavedText, saveBlocker, type SaveConflict } from './save-messages.js';

/**
 * Saving the flow on the canvas: refused here while it has no node or has problems (which then
 * opens the problems list). `checkNow` checks the document as it is at that instant, so an edit
 * made just before Ctrl/Cmd+S counts. A new flow is created (in `team` when one was chosen), a saved one updated at the revision edited.
 * When someone else saved meanwhile, `conflict` holds their revision until the operator reloads
 * theirs or overwrites it (`save(conflict.currentRevision)`).
 */
export function useSaveFlow(checkNow: () => CheckedFlow, openProblems: () => void, team?: string) {
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);

  const save = useCallback(
    async (overwriteRevision?: number) => {
      const st = useEditor.getState();
      const { flow: doc, issues } = checkNow();
      const blocker = saveBlocker(doc.nodes.length, issues.length);
      if (blocker) {
        if (doc.nodes.length > 0) openProblems();
        toast(blocker, 'error');
        return;
      }
      setSaving(true);
      try {
        const stored =
          st.revision === null
            ? await call(api.flows.$post({ json: doc, query: teamQuery(team) }))
            : await call(api.flows[':id'].$put({ ...idParam(doc.id), json: { revision: overwriteRevision ?? st.revision, flow: doc } }));
        st.markSaved(stored.flow, stored.revision);
        if (st.revision === null) window.history.replaceState(null, '', `#/flows/${encodeURIComponent(stored.flow.id)}`);
        setConflict(null);
        toast(`Saved “${stored.flow.name}” (revision ${stored.revision}).`, 'success');
      } catch (error) {
        const found = conflictOf(error, st.revision);
        if (found) setConflict(found);
        else toast(notSavedText(error), 'error');
      } finally {
        setSaving(false);
      }
    },
    [checkNow, openProblems, team],
  );

  /** Drops the canvas for the revision on the server (after a conflict). */
  const reloadFromServer = async () => {
    const st = useEditor.getState();
    const stored = await call(api.flows[':id'].$get(idParam(st.meta.id)));
    st.load(stored.flow, stored.revision);
    setConflict(null);
    toast(`Reloaded revision ${stored.revision}.`, 'info');
  };

  return { saving, conflict, save, reloadFromServer, dismissConflict: () => setConflict(null) };
}
