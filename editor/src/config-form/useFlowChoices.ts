import { useEffect, useState } from 'react';
import type { FlowSummary } from '../../../shared/api-views.js';
import { listFlows } from '../flows/flows-api.js';

/**
 * The saved flows, for a field that names one (a flow to call): loaded once per field shown,
 * empty until it answers or when it fails (the field still takes any id typed).
 */
export function useFlowChoices(enabled: boolean): readonly FlowSummary[] {
  const [flows, setFlows] = useState<readonly FlowSummary[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    listFlows().then(
      (list) => live && setFlows(list.items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [enabled]);
  return flows;
}
