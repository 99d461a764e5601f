import { useMemo } from 'react';
import type { EventOutcome } from '../../../shared/event-log.js';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import { startsBy } from '../../../nodes/trigger-spec.js';
import { api, call } from '../api/client.js';
import { EventFilters } from '../events/EventFilters.js';
import { EventPanel } from '../events/EventPanel.js';
import { EventRow } from '../events/EventRow.js';
import { navigate, type EventsRouteFilters } from '../router.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { usePolling } from '../ui/usePolling.js';
import { LoadOlder } from '../ui/LoadOlder.js';
import { useLivePages } from '../ui/useLivePages.js';
import '../styles/runs.css';
import '../styles/events.css';
import '../styles/limits.css';

const PAGE_SIZE = 50;
const LIVE_MS = 5000;

/** Source types that receive webhooks (their trigger is a hook path), as the source filter offers them. */
const HOOK_SOURCES = nodeDefinitions
  .filter((d) => startsBy(d, 'webhook'))
  .map((d) => ({ type: d.type.replace(/^source\./, ''), label: d.label }));

/**
 * Every webhook delivery, newest first (`#/events`): did the alert arrive, and if no flow ran,
 * why. The newest page refreshes every 5 seconds; a row opens the delivery in a side panel.
 */
export function EventsPage({ filters }: { filters: EventsRouteFilters }) {
  const { flowId, outcome, source, path, eventId } = filters;
  // The outcome comes from the address as typed; the server checks it (and says so if it is not one).
  const query = { flowId, outcome: outcome as EventOutcome | undefined, source, path, limit: PAGE_SIZE };
  const filterKey = `${flowId ?? ''}|${outcome ?? ''}|${source ?? ''}|${path ?? ''}`;
  const pages = useLivePages(filterKey, (before) => call(api.events.$get({ query: { ...query, before } })), LIVE_MS);
  const { newest, rows } = pages;
  const first = newest.data?.items;
  const flows = usePolling(() => call(api.flows.$get()), 0, []);
  const flowList = flows.data?.items ?? [];
  const flowNames = useMemo(() => new Map(flowList.map((f) => [f.id, f.name])), [flowList]);

  const sources = useMemo(() => {
    const known = new Map(HOOK_SOURCES.map((s) => [s.type, s]));
    for (const e of first ?? []) for (const s of e.sources) if (!known.has(s)) known.set(s, { type: s, label: s });
    return [...known.values()];
  }, [first]);
  const filtered = Boolean(flowId || outcome || source || path);
  const go = (next: EventsRouteFilters) => navigate({ page: 'events', filters: next });

  return (
    <div className={`page events-page${eventId ? ' with-panel' : ''}`}>
      <div className="page-header">
        <h1>Events</h1>
        <span className="muted small">Every delivery to /hooks/…, what Salve answered, and what each flow did with it.</span>
        <span className="spacer" />
        <span
          className={`live-indicator${newest.error ? ' stale' : ''}`}
          title={newest.error ? 'The last refresh failed; retrying every 5 seconds' : 'Refreshes every 5 seconds'}
          data-testid="live-indicator"
        >
          {newest.error ? 'reconnecting' : 'live'}
        </span>
      </div>
      <EventFilters filters={filters} sources={sources} flows={flowList} onChange={go} />

      {newest.error && <ApiErrorBanner error={newest.error} doing="Loading events" onRetry={newest.refresh} />}

      {!newest.data ? (
        !newest.error && <div className="card empty">Loading events…</div>
      ) : (
        <div className="card">
          {rows.length === 0 ? (
            <EmptyEvents filtered={filtered} />
          ) : (
            <table className="list events-table stacked-list">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Path</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Alerts</th>
                  <th scope="col">Flows and runs</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <EventRow key={e.id} event={e} flowNames={flowNames} filters={filters} selected={e.id === eventId} />
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}

      {pages.olderError && <ApiErrorBanner error={pages.olderError} doing="Loading older events" onRetry={pages.loadOlder} />}
      {rows.length > 0 && <LoadOlder pages={pages} allLoaded={`That is every stored delivery${filtered ? ' matching the filters' : ''}. Older ones have expired.`} />}

      {eventId && <EventPanel eventId={eventId} flowNames={flowNames} onClose={() => go({ ...filters, eventId: undefined })} />}
    </div>
  );
}

function EmptyEvents({ filtered }: { filtered: boolean }) {
  if (filtered) return <div className="empty">No delivery matches these filters. Clear them to see every delivery.</div>;
  return (
    <div className="empty">
      <p>No deliveries yet.</p>
      <p className="small">
        When a monitoring tool posts to <code>/hooks/&lt;path&gt;</code>, the delivery shows here — accepted or refused, with the reason —
        even when no flow runs for it, and also when no enabled flow listens on that path.
      </p>
    </div>
  );
}
