import { useEffect, useMemo, useState } from 'react';
import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { usePolling } from '../ui/usePolling.js';
import { mergeFlowList, stillListed, summaryOf } from './flow-list.js';
import { listFlows } from './flows-api.js';

/** Often enough that a flow enabled from the CLI or another tab shows up while on call. */
export const FLOWS_REFRESH_MS = 10_000;

/**
 * The flows list, polled, with this page's own writes shown until the next poll has caught up
 * with them: an enable or disable answer replaces its row, a delete hides it.
 */
export function useFlowList() {
  const list = usePolling(listFlows, FLOWS_REFRESH_MS, []);
  const [patched, setPatched] = useState<Record<string, FlowSummary>>({});
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const [loadedAt, setLoadedAt] = useState<Date>();

  useEffect(() => {
    if (list.data) setLoadedAt(new Date());
  }, [list.data]);

  // A deleted id that the server no longer lists needs no hiding any more.
  useEffect(() => {
    setDeleted((d) => stillListed(d, list.data?.items ?? []));
  }, [list.data]);

  const flows = useMemo(() => mergeFlowList(list.data?.items ?? [], patched, deleted), [list.data, patched, deleted]);

  return {
    flows,
    /** True once the first answer arrived. */
    loaded: list.data !== undefined,
    loadedAt,
    error: list.error,
    refresh: list.refresh,
    /** Shows a write's answer in its row. */
    patch: (stored: StoredFlow) => setPatched((p) => ({ ...p, [stored.flow.id]: summaryOf(stored) })),
    /** Hides a deleted flow's row. */
    hide: (id: string) => setDeleted((d) => new Set([...d, id])),
  };
}
