import { createHmac, timingSafeEqual } from 'node:crypto';
import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus, type Severity } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError, type Issue } from '../../../shared/errors.js';
import type { AuthResult, HandshakeResult, IngestRequest, SecretResolver, WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { secretRefs } from '../hmac-schema.js';
import { stringMapIssues } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import { FIRING_EVENT_TYPES, startingEvents, type PagerDutyAuth, type PagerDutyConfig } from './definition.js';
import { PdIncidentRefSchema, PdIncidentSchema, PdWebhookSchema, type PdEvent, type PdIncident } from './payload.js';

/** Most `v1=` values read from one signature header (PagerDuty sends one per active secret). */
const MAX_SIGNATURES = 8;

/** The `v1=` signatures of an `X-PagerDuty-Signature` header, as bytes; malformed entries are dropped. */
export function parseSignatureHeader(header: string): Buffer[] {
  const out: Buffer[] = [];
  for (const part of header.split(',').slice(0, MAX_SIGNATURES * 4)) {
    const entry = part.trim();
    if (!entry.startsWith('v1=')) continue;
    const hex = entry.slice(3).trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) continue;
    out.push(Buffer.from(hex, 'hex'));
    if (out.length === MAX_SIGNATURES) break;
  }
  return out;
}

/**
 * Checks `X-PagerDuty-Signature` over the raw body: accepted when any `v1=` value is the
 * HMAC-SHA256 of the body under any configured secret. Every comparison runs (no early exit)
 * in constant time. Fails closed when no configured secret is set; of a rotation pair, one that
 * is not set is skipped (as verifyHmac does for the other HMAC sources).
 */
function verifyPagerDutySignature(
  auth: Extract<PagerDutyAuth, { type: 'signature' }>,
  request: IngestRequest,
  secrets: SecretResolver,
): AuthResult {
  const refs = secretRefs(auth.secret);
  // An empty secret would make anyone able to sign: treat it as unset.
  const keys = refs.map((ref) => secrets(ref.secret)).filter((v): v is string => v !== undefined && v !== '');
  if (keys.length === 0) {
    const names = refs.map((ref) => ref.secret).join(', ');
    return { ok: false, reason: refs.length > 1 ? `none of the secrets ${names} is set` : `secret ${names} is not set` };
  }
  const header = request.headers['x-pagerduty-signature'];
  if (header === undefined) return { ok: false, reason: 'missing X-PagerDuty-Signature header' };
  const given = parseSignatureHeader(header);
  if (given.length === 0) return { ok: false, reason: 'X-PagerDuty-Signature has no v1= signature' };
  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(request.rawBody).digest();
    for (const signature of given) {
      // Both are 32 bytes (checked when parsing), so timingSafeEqual never throws.
      if (timingSafeEqual(signature, expected)) matched = true;
    }
  }
  return matched ? { ok: true } : { ok: false, reason: 'X-PagerDuty-Signature does not match the body (wrong secret, or the body was changed)' };
}

function authenticate(config: PagerDutyConfig, request: IngestRequest, secrets: SecretResolver): AuthResult {
  const auth = config.auth;
  if (auth.type === 'signature') return verifyPagerDutySignature(auth, request, secrets);
  return verifyAuth(auth, request, secrets);
}

/** `pagey.ping`, PagerDuty's test delivery, is answered with `pong` and runs nothing. */
function handshake(body: unknown): HandshakeResult | undefined {
  const event = (body as { event?: { event_type?: unknown } } | null)?.event;
  if (event && typeof event === 'object' && event.event_type === 'pagey.ping') return { status: 200, message: 'pong' };
  return undefined;
}

/**
 * The delivery's own identity: `X-Webhook-Id` (the same on every retry of a delivery), else
 * the event id in the body. Namespaced so it cannot collide with another source's ids.
 */
export function pagerdutyDeliveryId(request: IngestRequest | undefined, body: unknown): string | undefined {
  const header = request?.headers['x-webhook-id']?.trim();
  if (header) return `pagerduty:${header}`;
  const id = (body as { event?: { id?: unknown } } | null)?.event?.id;
  return typeof id === 'string' && id !== '' ? `pagerduty:${id}` : undefined;
}

/**
 * Status from the event type where it decides (incident.resolved, and the types that always
 * leave the incident open), else from the incident's own `status`.
 */
export function pagerdutyStatus(eventType: string, incidentStatus: string | undefined): AlertStatus {
  if (eventType === 'incident.resolved') return 'resolved';
  if (FIRING_EVENT_TYPES.includes(eventType)) return 'firing';
  return incidentStatus === 'resolved' ? 'resolved' : 'firing';
}

/** Priority when it names a severity (P1…P5, or words like "critical"), else urgency: high → high, low → warning. */
export function pagerdutySeverity(priority: string | undefined, urgency: string | undefined): Severity {
  const fromPriority = normalizeSeverity(priority);
  if (fromPriority !== 'unknown') return fromPriority;
  switch ((urgency ?? '').toLowerCase()) {
    case 'high':
      return 'high';
    case 'low':
      return 'warning';
    default:
      return 'unknown';
  }
}

/**
 * When the incident's current episode began: the last reopening, else its creation, else (old
 * payloads without created_at) when this event happened. For `incident.reopened` itself the
 * reopening is the event.
 */
function episodeStart(event: PdEvent, incident: Partial<PdIncident>): string {
  if (event.event_type === 'incident.reopened') return incident.reopened_at ?? event.occurred_at;
  return incident.reopened_at ?? incident.created_at ?? event.occurred_at;
}

function invalid(issues: Issue[]): never {
  throw new ValidationError('PagerDuty webhook is invalid', issues);
}

/** Labels and annotations must stay within the per-alert limits; issues name the payload field. */
function checkLimits(map: Record<string, string>, what: 'labels' | 'annotations', fieldOf: Record<string, (string | number)[]>): void {
  const problems = stringMapIssues(map, what);
  if (problems.length > 0) {
    invalid(problems.map((p) => ({ path: p.key && fieldOf[p.key] ? fieldOf[p.key]! : [what, ...(p.key ? [p.key] : [])], message: p.message })));
  }
}

/** The incident an event is about: `data` itself for incident events, else the reference in `data.incident`. */
function incidentOf(event: PdEvent): { incident: Partial<PdIncident> & { id: string; summary?: string }; full: boolean } {
  const data = event.data as { type?: unknown; incident?: unknown } | null | undefined;
  if (data && typeof data === 'object' && data.type === 'incident') {
    const parsed = PdIncidentSchema.safeParse(data);
    if (!parsed.success) invalid(issuesFromZod(parsed.error.issues, ['event', 'data']));
    return { incident: parsed.data, full: true };
  }
  if (data && typeof data === 'object' && data.incident !== undefined) {
    const parsed = PdIncidentRefSchema.safeParse(data.incident);
    if (!parsed.success) invalid(issuesFromZod(parsed.error.issues, ['event', 'data', 'incident']));
    return { incident: parsed.data, full: false };
  }
  return invalid([{ path: ['event', 'data'], message: 'must be the incident (data.type "incident") or carry data.incident' }]);
}

function toAlert(event: PdEvent, rawEvent: unknown): Alert {
  const { incident } = incidentOf(event);
  const name = incident.title || incident.summary || (incident.number !== undefined ? `Incident #${incident.number}` : `Incident ${incident.id}`);
  const status = pagerdutyStatus(event.event_type, incident.status);
  const priority = incident.priority?.summary;
  const urgency = incident.urgency ?? undefined;

  const labels: Record<string, string> = { event_type: event.event_type };
  const fieldOf: Record<string, (string | number)[]> = { event_type: ['event', 'event_type'] };
  const put = (key: string, value: string | undefined | null, path: (string | number)[]) => {
    if (value === undefined || value === null || value === '') return;
    labels[key] = value;
    fieldOf[key] = path;
  };
  put('service', incident.service?.summary, ['event', 'data', 'service', 'summary']);
  put('service_id', incident.service?.id, ['event', 'data', 'service', 'id']);
  put('urgency', urgency, ['event', 'data', 'urgency']);
  put('priority', priority, ['event', 'data', 'priority', 'summary']);
  put('status', incident.status, ['event', 'data', 'status']);
  put('number', incident.number === undefined ? undefined : String(incident.number), ['event', 'data', 'number']);
  put('incident_key', incident.incident_key, ['event', 'data', 'incident_key']);
  checkLimits(labels, 'labels', fieldOf);

  const annotations: Record<string, string> = { event_id: event.id };
  if (event.agent?.summary) annotations.agent = event.agent.summary;
  const assignees = (incident.assignees ?? []).map((a) => a.summary).filter((s): s is string => !!s);
  if (assignees.length > 0) annotations.assignees = assignees.join(', ');
  checkLimits(annotations, 'annotations', { agent: ['event', 'agent', 'summary'], assignees: ['event', 'data', 'assignees'] });

  const links: Alert['links'] = {};
  if (incident.html_url) links.source = incident.html_url;
  const alert = {
    source: 'pagerduty',
    status,
    name,
    severity: pagerdutySeverity(priority, urgency),
    summary: name,
    description: '',
    labels,
    annotations,
    startsAt: episodeStart(event, incident),
    endsAt: status === 'resolved' ? (incident.resolved_at ?? event.occurred_at) : '',
    fingerprint: incident.id,
    links,
    raw: rawEvent,
  };
  // The same incident in the same state since the same time is one notification, whichever
  // event (and delivery) reports it: an ack after the trigger, a retried delivery, a second
  // subscription. Redeliveries are also recognized by X-Webhook-Id (pagerdutyDeliveryId).
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

/**
 * Turns a webhook v3 delivery into alerts: one for an `incident.*` event, none for other
 * resources (services…) and for `pagey.ping`. Throws ValidationError naming the field.
 */
export function normalizePagerDuty(body: unknown): Alert[] {
  const parsed = PdWebhookSchema.safeParse(body);
  if (!parsed.success) invalid(issuesFromZod(parsed.error.issues));
  const event = parsed.data.event;
  const resource = event.resource_type ?? event.event_type.split('.')[0];
  if (resource !== 'incident') return [];
  return [toAlert(event, (body as { event: unknown }).event)];
}

/** `source.pagerduty`: verifies the signature (or the configured credentials) and reads webhooks v3. */
export const pagerdutyAdapter: WebhookAdapter<PagerDutyConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => authenticate(config, request, ctx.secrets),
  handshake: (_config, body) => handshake(body),
  deliveryId: (_config, request, body) => pagerdutyDeliveryId(request, body),
  normalize: (_config, body) => normalizePagerDuty(body),
  accepts: (config, alert) => acceptsStatus(config.on, alert) && startingEvents(config).includes(alert.labels.event_type ?? ''),
};
