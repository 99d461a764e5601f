import type { EventFlowSummary, EventOutcome, EventSummary } from '../../../shared/event-log.js';
import { api, call, idParam } from '../api/client.js';
import { hrefFor, navigate, type EventsRouteFilters } from '../router.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { shortRunId } from '../runs/RunRow.js';
import { eventOrigin, explainEvent } from './describe.js';
import { OutcomePill } from './OutcomePill.js';
import { deliveryTestInput, receivingNode, unusableBody } from './test-payload.js';
import { UseAsTestPayloadButton } from './UseAsTestPayload.js';

/** The delivery's body as the test input of `flowId`'s source node that received it (loaded on click). */
async function deliveryInputFor(eventId: string, flowId: string) {
  const event = await call(api.events[':id'].$get(idParam(eventId)));
  const nodeId = receivingNode(event, flowId);
  return nodeId ? deliveryTestInput(event, nodeId) : { reason: 'no source node of this flow is on its path' };
}

/** Per flow on the path: its name, and what the delivery did there (runs started, duplicates, refused). */
function FlowOutcome({ flow, name, outcome, testable }: { flow: EventFlowSummary; name: string; outcome: EventOutcome; testable: { eventId: string; several: boolean } | null }) {
  const parts: React.ReactNode[] = [];
  const held = flow.held ?? 0;
  const nothing = flow.started + held + flow.duplicate + flow.notStarted === 0;
  if (outcome === 'invalid') parts.push(<span key="refused" className="tone-warning small">payload refused</span>);
  else if (outcome === 'not_found') parts.push(<span key="disabled" className="tone-warning small">disabled</span>);
  else if (outcome === 'unavailable') parts.push(<span key="busy" className="tone-warning small">not taken (busy)</span>);
  else if (!flow.authenticated) parts.push(<span key="refused" className="tone-error small">credentials refused</span>);
  else if (outcome === 'handshake' && nothing) parts.push(<span key="answered" className="muted small">answered</span>);
  for (const id of flow.executionIds) {
    parts.push(
      <a key={id} href={hrefFor({ page: 'run', id })} className="mono small" title={`Open run ${id}`} data-testid={`event-run-${id}`}>
        run {shortRunId(id)}
      </a>,
    );
  }
  if (flow.started > flow.executionIds.length) parts.push(<span key="more-started" className="muted small">+{flow.started - flow.executionIds.length} more</span>);
  if (held > 0) {
    parts.push(
      <span key="held" className="held-line small" title="Runs a guard rail holds: they wait in Runs for a person to release or cancel them">
        <strong>{held} held</strong>
      </span>,
    );
  }
  if (flow.duplicate > 0) {
    parts.push(
      <span key="dup" className="muted small">
        {flow.duplicate} already handled
        {flow.duplicateOf.length > 0 && (
          <>
            {' by '}
            {flow.duplicateOf.map((id, i) => (
              <span key={id}>
                {i > 0 && ', '}
                <a href={hrefFor({ page: 'run', id })} className="mono" title={`Open run ${id}, which handled this alert first`}>
                  {shortRunId(id)}
                </a>
              </span>
            ))}
          </>
        )}
      </span>,
    );
  }
  if (flow.notStarted > 0) parts.push(<span key="ns" className="muted small">{flow.notStarted} not started</span>);
  return (
    <li className="event-flow">
      <a href={hrefFor({ page: 'flow', id: flow.flowId })} className="event-flow-name" title={`${name}: open in the editor`}>
        {name}
      </a>
      {parts.length > 0 && <span className="event-flow-parts">{parts}</span>}
      {testable && (
        <UseAsTestPayloadButton
          flowId={flow.flowId}
          flowName={name}
          showFlow={testable.several}
          resolve={() => deliveryInputFor(testable.eventId, flow.flowId)}
          testId={`event-test-payload-${flow.flowId}`}
        />
      )}
    </li>
  );
}

/** One delivery in the events table; a click anywhere but a link opens it in the side panel. */
export function EventRow({
  event,
  flowNames,
  filters,
  selected,
}: {
  event: EventSummary;
  flowNames: Map<string, string>;
  filters: EventsRouteFilters;
  selected: boolean;
}) {
  const target = { page: 'events' as const, filters: { ...filters, eventId: event.id } };
  const open = (e: React.MouseEvent) => {
    if ((e.target as HTMLElement).closest('a, button')) return;
    navigate(target);
  };
  const { lead, detail, note } = explainEvent(event);
  // Only a complete body is offered as a test payload (whether it is JSON is known once loaded).
  const testable = unusableBody(event) === null;
  return (
    <tr className={`clickable${selected ? ' selected' : ''}`} data-testid={`event-row-${event.id}`} onClick={open} aria-selected={selected}>
      <td className="event-time">
        <a href={hrefFor(target)} title="Show this delivery" className="event-open">
          <RelativeTime iso={event.receivedAt} />
        </a>
      </td>
      <td>
        <div className="mono event-path">{eventOrigin(event.path)}</div>
        <div className="event-sources">
          {event.sources.map((s) => (
            <span key={s} className="source-chip">
              {s}
            </span>
          ))}
        </div>
      </td>
      <td>
        <OutcomePill outcome={event.outcome} testId={`event-outcome-${event.id}`} />
        <div className="muted small event-http">HTTP {event.httpStatus}</div>
      </td>
      <td className="event-alerts" data-label="Alerts">
        {event.alertCount === 0 ? (
          <span className="muted">—</span>
        ) : (
          <>
            <strong>{event.alertCount}</strong>
            {event.alertNames.length > 0 && <span className="event-alert-names"> {event.alertNames.slice(0, 2).join(', ')}{event.alertNames.length > 2 ? ', …' : ''}</span>}
          </>
        )}
      </td>
      <td className="event-flows stack-wide">
        {event.flows.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul>
            {event.flows.map((f) => (
              <FlowOutcome
                key={f.flowId}
                flow={f}
                name={flowNames.get(f.flowId) ?? f.flowId}
                outcome={event.outcome}
                testable={testable ? { eventId: event.id, several: event.flows.length > 1 } : null}
              />
            ))}
          </ul>
        )}
      </td>
      <td className="event-what stack-wide">
        <div className="event-lead">{lead}</div>
        {detail && <div className="event-detail" data-testid={`event-reason-${event.id}`}>{detail}</div>}
        {note && <div className="event-note small">{note}</div>}
      </td>
    </tr>
  );
}
