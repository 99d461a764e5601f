import type { EventSummary } from '../../../shared/event-log.js';
import { api, call } from '../api/client.js';
import { usePolling } from '../ui/usePolling.js';

/** How many deliveries the Test tab offers: the latest few are what an operator wants to replay. */
const LATEST_DELIVERIES = 5;
/** The list follows new deliveries while the Test tab is open (and the page visible). */
const REFRESH_MS = 10_000;

/** The latest stored deliveries to `/hooks/<hookPath>`, newest first; none without a hook path (schedule, manual). */
export function useLatestDeliveries(hookPath: string | undefined): { items: readonly EventSummary[]; error: Error | undefined } {
  const polled = usePolling<readonly EventSummary[]>(
    async () => (hookPath ? (await call(api.events.$get({ query: { path: hookPath, limit: LATEST_DELIVERIES } }))).items : []),
    hookPath ? REFRESH_MS : 0,
    [hookPath],
  );
  return { items: polled.data ?? [], error: polled.error };
}
