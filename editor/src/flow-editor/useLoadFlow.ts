import { useEffect, useState } from 'react';
import { api, call, idParam } from '../api/client.js';
import { emptyFlow } from '../canvas/model.js';
import { useEditor } from '../canvas/store.js';

/** Loads the flow `flowId` into the editor store (an empty new flow without one): 'loading', 'ready', or the error. */
export function useLoadFlow(flowId: string | undefined): 'loading' | 'ready' | Error {
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  const load = useEditor((s) => s.load);

  useEffect(() => {
    if (!flowId) {
      load(emptyFlow(), null);
      setState('ready');
      return;
    }
    call(api.flows[':id'].$get(idParam(flowId))).then(
      (stored) => {
        load(stored.flow, stored.revision);
        setState('ready');
      },
      (error: Error) => setState(error),
    );
  }, [flowId, load]);

  return state;
}
