import { Fragment, useEffect, useRef } from 'react';
import { X } from 'lucide-react';
import type { EventAlert, EventDetail, EventMatch, EventRoute } from '../../../shared/event-log.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import type { Execution } from '../../../shared/api-views.js';
import { hrefFor } from '../router.js';
import { LabelChips, SeverityPill } from '../runs/AlertSummary.js';
import { displayLabels } from '../runs/alert-labels.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { CopyButton } from '../runs/CopyButton.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { shortRunId } from '../runs/RunRow.js';
import { StatusPill } from '../runs/StatusPill.js';
import { usePolling } from '../ui/usePolling.js';
import { eventOrigin, explainEvent, formatBytes, matchVerdict, prettyBody, routeVerdict } from './describe.js';
import { OutcomePill } from './OutcomePill.js';
import { deliveryTestInput } from './test-payload.js';
import { UseAsTestPayloadButton } from './UseAsTestPayload.js';

const BANNER_TONE = {
  accepted: 'info',
  duplicate: 'info',
  ignored: 'warning',
  handshake: 'info',
  rejected: 'error',
  invalid: 'error',
  not_found: 'error',
  unavailable: 'warning',
} as const;

/** Outcomes where no source looked at the alerts: "No alert in the delivery" would be untrue. */
const ALERTS_NOT_READ = new Set(['handshake', 'invalid', 'not_found', 'unavailable']);

function RunLink({ id }: { id: string }) {
  return (
    <a href={hrefFor({ page: 'run', id })} className="mono" title={`Open run ${id}`}>
      {shortRunId(id)}
    </a>
  );
}

/** One match: the alert it is about, what the flow did, and the runs it links to. */
function MatchLine({ match, alert }: { match: EventMatch; alert: EventAlert | undefined }) {
  return (
    <li className={`event-match ${match.result}`}>
      <span className="event-match-alert">
        #{match.alertIndex + 1} <strong>{alert?.name ?? '?'}</strong>
        {alert && <span className={`alert-state ${alert.status}`}> {alert.status}</span>}
      </span>
      <span className="event-match-verdict">
        {matchVerdict(match)}
        {match.executionId && (
          <>
            {match.result === 'duplicate' ? ' by run ' : match.result === 'flap' ? '; handled by run ' : match.result === 'held' ? ' — held run ' : ': run '}
            <RunLink id={match.executionId} />
          </>
        )}
      </span>
      {match.resolvedExecutionIds && match.resolvedExecutionIds.length > 0 && (
        <span className="event-match-resolved">
          marked resolved:{' '}
          {match.resolvedExecutionIds.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <RunLink id={id} />
            </span>
          ))}
        </span>
      )}
    </li>
  );
}

/** Per source node on the path: did it accept the credentials, and what it did with each alert. */
function RoutesSection({ event, flowNames }: { event: EventDetail<Execution>; flowNames: Map<string, string> }) {
  const matchesOf = (r: EventRoute) => event.matches.filter((m) => m.flowId === r.flowId && m.nodeId === r.nodeId);
  if (event.routes.length === 0) {
    return (
      <section className="event-section">
        <h3>Flows on {eventOrigin(event.path)}</h3>
        <div className="muted small" data-testid="event-no-flows">
          No flow, enabled or disabled, listens on this path.
        </div>
      </section>
    );
  }
  return (
    <section className="event-section">
      <h3>Flows on {eventOrigin(event.path)}</h3>
      <ul className="event-routes">
        {event.routes.map((r) => {
          const matches = matchesOf(r);
          const testInput = deliveryTestInput(event, r.nodeId);
          const name = flowNames.get(r.flowId) ?? r.flowId;
          return (
            <li key={`${r.flowId}/${r.nodeId}`} className={`event-route ${r.result}`} data-testid={`event-route-${r.flowId}`}>
              <div className="row event-route-head">
                <a href={hrefFor({ page: 'flow', id: r.flowId })}>{flowNames.get(r.flowId) ?? r.flowId}</a>
                <span className="muted small mono">
                  {r.nodeId} · {r.source}
                </span>
                <span className="spacer" />
                <span className={r.result === 'rejected' ? 'tone-error small' : r.result === 'authenticated' ? 'tone-ok small' : 'muted small'}>{routeVerdict(r)}</span>
              </div>
              {matches.length > 0 && (
                <ul className="event-matches">
                  {matches.map((m, i) => (
                    <MatchLine key={i} match={m} alert={event.alerts[m.alertIndex]} />
                  ))}
                </ul>
              )}
              {r.result === 'authenticated' && matches.length === 0 && !ALERTS_NOT_READ.has(event.outcome) && (
                <div className="muted small">No alert in the delivery.</div>
              )}
              {'reason' in testInput ? (
                <div className="muted small">Cannot be a test payload: {testInput.reason}.</div>
              ) : (
                <div className="event-route-test">
                  <UseAsTestPayloadButton
                    flowId={r.flowId}
                    flowName={name}
                    resolve={async () => testInput}
                    testId={`event-panel-test-payload-${r.flowId}-${r.nodeId}`}
                  />
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function AlertsSection({ alerts }: { alerts: EventAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section className="event-section">
      <h3>Alerts as Salve read them ({alerts.length})</h3>
      <ol className="event-alert-list">
        {alerts.map((a, i) => (
          <li key={i}>
            <div className="row alert-title">
              <span className="muted small">#{i + 1}</span>
              <strong>{a.name}</strong>
              <SeverityPill severity={a.severity} />
              <span className={`alert-state ${a.status}`}>{a.status}</span>
            </div>
            {a.summary && a.summary !== a.name && <div className="small">{a.summary}</div>}
            <LabelChips labels={displayLabels(a)} />
            <dl className="kv event-alert-ids">
              <dt>fingerprint</dt>
              <dd className="mono">{a.fingerprint}</dd>
              <dt>starts</dt>
              <dd className="mono">{a.startsAt || '—'}</dd>
              {a.endsAt && (
                <>
                  <dt>ends</dt>
                  <dd className="mono">{a.endsAt}</dd>
                </>
              )}
            </dl>
          </li>
        ))}
      </ol>
    </section>
  );
}

function BodySection({ event }: { event: EventDetail<Execution> }) {
  const { text, json } = prettyBody(event.body);
  return (
    <section className="event-section">
      <div className="row">
        <h3>Body</h3>
        <span className="muted small">
          {formatBytes(event.bodyBytes)}
          {event.bodyTruncated ? ', cut at 4 KiB' : json ? ', JSON' : event.body ? ', not JSON' : ''}
        </span>
        <span className="spacer" />
        {event.body && <CopyButton text={event.body} what="body" />}
      </div>
      {event.bodyTruncated &&
        (event.httpStatus === 413 ? (
          <div className="event-truncated small" data-testid="event-body-truncated">
            Not stored: the body was over the size limit{event.bodyBytes > 0 ? ` (${formatBytes(event.bodyBytes)} declared)` : ''}.
          </div>
        ) : (
          <div className="event-truncated small" data-testid="event-body-truncated">
            First 4 KiB only, of {formatBytes(event.bodyBytes)} received: Salve keeps no more of a refused delivery.
          </div>
        ))}
      {event.body ? <pre className="code-block event-body">{text}</pre> : <div className="muted small">empty</div>}
    </section>
  );
}

function HeadersSection({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="event-section">
      <h3>Headers</h3>
      <dl className="kv event-headers">
        {entries.map(([k, v]) => (
          <Fragment key={k}>
            <dt className="mono">{k}</dt>
            <dd className={`mono${v === '***' ? ' muted' : ''}`} title={v === '***' ? 'A credential: not stored' : undefined}>
              {v}
            </dd>
          </Fragment>
        ))}
      </dl>
      <div className="muted small">Credentials (Authorization, cookies, API keys, a source's secret header) are shown as ***: they are not stored.</div>
    </section>
  );
}

/**
 * The side panel of one delivery: what happened and why in words, each flow's verdict per
 * alert with links to the runs, the alerts as normalized, the error, headers and body.
 */
export function EventPanel({ eventId, flowNames, onClose }: { eventId: string; flowNames: Map<string, string>; onClose: () => void }) {
  // An event never changes once written: load it once.
  const loaded = usePolling(() => call(api.events[':id'].$get(idParam(eventId))), 0, [eventId]);
  const ref = useRef<HTMLElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) closeRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `eventId` is the trigger: another delivery starts at the top
  useEffect(() => {
    ref.current?.scrollTo({ top: 0 });
  }, [eventId]);

  const event = loaded.data;
  const explained = event ? explainEvent(event) : null;
  return (
    <aside className="event-panel" ref={ref} aria-label="Delivery details" data-testid="event-panel">
      <div className="event-panel-head">
        {event && <OutcomePill outcome={event.outcome} />}
        <h2>{event ? `Delivery to ${eventOrigin(event.path)}` : 'Delivery'}</h2>
        <span className="spacer" />
        <button type="button" className="ghost icon small" aria-label="Close the delivery panel" title="Close (Esc)" onClick={onClose}>
          <X size={16} aria-hidden="true" />
        </button>
      </div>
      <div className="event-panel-body">
        {!event ? (
          loaded.error ? (
            loaded.error instanceof ApiError && loaded.error.status === 404 ? (
              <div className="banner info">
                This event is no longer stored (events are kept for a limited time; see <code>SALVE_EVENT_RETENTION_DAYS</code>).
              </div>
            ) : (
              <ApiErrorBanner error={loaded.error} doing="Loading the delivery" onRetry={loaded.refresh} />
            )
          ) : (
            <div className="muted">Loading…</div>
          )
        ) : (
          <>
            <div className={`banner ${BANNER_TONE[event.outcome]}`} data-testid="event-explanation">
              <strong>{explained!.lead}.</strong> {explained!.detail}
              {explained!.note && <div className="small">{explained!.note}</div>}
            </div>
            <dl className="facts event-facts">
              <div>
                <dt>Received</dt>
                <dd>
                  <RelativeTime iso={event.receivedAt} /> <span className="muted small mono">{event.receivedAt}</span>
                </dd>
              </div>
              <div>
                <dt>Answer</dt>
                <dd>HTTP {event.httpStatus}</dd>
              </div>
              {event.remoteAddress && (
                <div>
                  <dt>From</dt>
                  <dd className="mono">{event.remoteAddress}</dd>
                </div>
              )}
              {event.deliveryId && (
                <div>
                  <dt>Delivery id</dt>
                  <dd className="mono">{event.deliveryId}</dd>
                </div>
              )}
              <div>
                <dt>Event</dt>
                <dd className="mono small">
                  {event.id} <CopyButton text={event.id} what="event id" />
                </dd>
              </div>
            </dl>
            {event.error && (
              <section className="event-section">
                <h3>Error answered</h3>
                <div className="small">
                  <span className="mono">{event.error.code}</span>: {event.error.message}
                </div>
                {event.error.issues && event.error.issues.length > 0 && (
                  <ul className="issues">
                    {event.error.issues.map((issue, i) => (
                      <li key={i}>
                        <span className="issue-path">{issue.path.join('.') || '(body)'}</span>
                        <span>{issue.message}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}
            <RoutesSection event={event} flowNames={flowNames} />
            {event.executions.length > 0 && (
              <section className="event-section">
                <h3>Runs started ({event.executions.length})</h3>
                <ul className="event-runs">
                  {event.executions.map((x) => (
                    <li key={x.id} className="row">
                      <StatusPill status={x.status} />
                      <RunLink id={x.id} />
                      <span className="muted small">{flowNames.get(x.flowId) ?? x.flowId}</span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <AlertsSection alerts={event.alerts} />
            <HeadersSection headers={event.headers} />
            <BodySection event={event} />
          </>
        )}
      </div>
    </aside>
  );
}
