import { useMemo } from 'react';
import { api, call } from '../api/client.js';
import { usePolling } from '../ui/usePolling.js';

/**
 * The flows a held run of `flowId` may start: the others of its team (a new flow's team may not
 * be known yet: then every other flow). Loaded once; a failure just leaves the list empty, and
 * the server checks the choice again on save.
 */
export function useEscalationChoices(flowId: string, team: string | undefined): { id: string; name: string }[] {
  const flows = usePolling(() => call(api.flows.$get()), 0, []);
  const items = flows.data?.items;
  return useMemo(
    () => (items ?? []).filter((f) => f.id !== flowId && (team === undefined || f.team === team)).map((f) => ({ id: f.id, name: f.name })),
    [items, flowId, team],
  );
}
