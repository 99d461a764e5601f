import type { EventFlowSummary, EventMatch, EventOutcome, EventRoute, EventSummary } from '../../../shared/event-log.js';

/**
 * The event log in words an on-call operator reads at a glance: what happened to a delivery,
 * and why nothing ran when nothing did. Pure, so the page and the tests share it.
 */

/** Outcome → the pill's word and the `.status.<class>` colour (app.css / events.css). */
export const OUTCOME_LABELS: Record<EventOutcome, { label: string; tone: string; help: string }> = {
  accepted: { label: 'accepted', tone: 'succeeded', help: 'At least one run started' },
  duplicate: { label: 'duplicate', tone: 'duplicate', help: 'Already handled: nothing ran again' },
  ignored: { label: 'ignored', tone: 'ignored', help: 'Valid, but no flow starts a run for it' },
  handshake: { label: 'handshake', tone: 'handshake', help: 'A protocol message the source answered itself' },
  rejected: { label: 'rejected', tone: 'failed', help: 'Refused: credentials or address (401)' },
  invalid: { label: 'invalid', tone: 'needs_attention', help: 'Refused: the body, its size or its content type did not fit the source' },
  not_found: { label: 'no flow', tone: 'not_found', help: 'Refused: no enabled flow listens on this path (404)' },
  unavailable: { label: 'busy', tone: 'unavailable', help: 'Not taken now: queue full, database busy or shutting down (503); the sender retries' },
};

/**
 * Where an event came from, as the operator would name it. Webhook deliveries have a hook path
 * (a slug: no "/"), shown as `/hooks/<path>`; runs started by hand (`api/flows/<id>/run`) and
 * schedule ticks (`schedule/<flow>/<node>`) are stored with paths that contain "/", and are shown
 * as themselves — never as a `/hooks/…` URL nothing listens on.
 */
export function eventOrigin(path: string): string {
  if (!path.includes('/')) return `/hooks/${path}`;
  return path.startsWith('api/') ? `POST /${path}` : path;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why it was refused as invalid, from the status answered. */
function invalidLead(status: number): string {
  if (status === 413) return 'Refused: the body is too large';
  if (status === 415) return 'Refused: wrong content type';
  if (status === 400) return 'Refused: the body is not JSON';
  return 'Refused: the payload does not fit the source';
}

/** `authentication failed: a/b: wrong token` → `a/b: wrong token`. */
function stripPrefix(reason: string, prefix: string): string {
  return reason.startsWith(prefix) ? reason.slice(prefix.length) : reason;
}

/**
 * What happened, in one line (`lead`) and the reason behind it (`detail`), e.g. "No run
 * started" / "resolved alert: source starts runs on firing only".
 */
export function explainEvent(
  e: Pick<EventSummary, 'outcome' | 'httpStatus' | 'reason' | 'executionCount' | 'duplicateCount' | 'notStartedCount' | 'suppressedBefore'> & {
    flows?: readonly Pick<EventFlowSummary, 'held'>[];
  },
): {
  lead: string;
  detail: string | null;
  note: string | null;
} {
  const note = e.suppressedBefore > 0 ? `${plural(e.suppressedBefore, 'similar refusal')} just before this one were not stored (over 60 a minute)` : null;
  switch (e.outcome) {
    case 'accepted': {
      const rest = [e.duplicateCount ? `${plural(e.duplicateCount, 'alert')} already handled` : '', e.notStartedCount ? `${e.notStartedCount} not started` : '']
        .filter(Boolean)
        .join(', ');
      // Runs a guard rail held were created too, but nothing of them runs until a person releases them.
      const held = (e.flows ?? []).reduce((n, f) => n + (f.held ?? 0), 0);
      const started = e.executionCount - held;
      const lead =
        held === 0
          ? `Started ${plural(e.executionCount, 'run')}`
          : started <= 0
            ? `Held ${plural(held, 'run')}: a guard rail stopped ${held === 1 ? 'it' : 'them'}`
            : `Started ${plural(started, 'run')}, held ${held}`;
      return { lead, detail: rest || null, note };
    }
    case 'duplicate':
      // Flap protection (the flow's flap window): the alert came back soon after it resolved.
      if (e.reason?.startsWith('same incident: ')) return { lead: 'Same incident again: no new run', detail: e.reason.slice('same incident: '.length), note };
      return { lead: 'Already handled: nothing ran again', detail: e.reason, note };
    case 'ignored':
      return { lead: 'No run started', detail: e.reason, note };
    case 'handshake':
      return { lead: `Answered by the source (${e.httpStatus})`, detail: e.reason, note };
    case 'rejected':
      return { lead: 'Refused: credentials or address (401)', detail: e.reason ? stripPrefix(e.reason, 'authentication failed: ') : null, note };
    case 'invalid':
      return { lead: `${invalidLead(e.httpStatus)} (${e.httpStatus})`, detail: e.reason, note };
    case 'not_found':
      return { lead: 'Refused: no enabled flow on this path (404)', detail: e.reason, note };
    case 'unavailable':
      return { lead: 'Not taken: Salve was busy (503), the sender should retry', detail: e.reason, note };
  }
}

/** A route's verdict in words. */
export function routeVerdict(route: EventRoute): string {
  switch (route.result) {
    case 'authenticated':
      return 'credentials accepted';
    case 'rejected':
      return `refused: ${route.reason ?? 'credentials wrong'}`;
    case 'skipped':
      if (route.reason === 'not checked') return 'not checked';
      if (route.reason === 'flow disabled') return 'flow disabled: receives nothing';
      return `not asked: ${route.reason ?? ''}`.trim();
  }
}

/** A match in words: "started run ex_…", "duplicate of ex_…", "same incident, no new run — …", "not started: …". */
export function matchVerdict(match: EventMatch): string {
  switch (match.result) {
    case 'started':
      return 'started a run';
    case 'held':
      return `held: ${match.reason ?? 'a guard rail holds the run'}`;
    case 'duplicate':
      return 'already handled';
    case 'flap': {
      // "same incident: fired again 3 min after it resolved (flap window 10 min); run ex_… handled it": the link names the run.
      const why = (match.reason ?? '').replace(/^same incident: /, '').replace(/; run \S+ handled it$/, '');
      return `same incident, no new run${why ? ` — ${why}` : ''}`;
    }
    case 'not_started':
      return `not started: ${match.reason ?? 'the source does not start runs for it'}`;
  }
}

/** The body as people read it: pretty JSON when it parses, else the text as it came. */
export function prettyBody(body: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(body), null, 2), json: true };
  } catch {
    return { text: body, json: false };
  }
}

/** `1043` → `1.0 KiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
