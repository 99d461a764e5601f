import type { Alert, AlertStatus, Severity } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError, type Issue } from '../../../shared/errors.js';
import { truncateBytes } from '../../../shared/text.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { exceedsValueLimit, MAX_ALERTS_PER_DELIVERY, MAX_VALUE_BYTES } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { NagiosConfig } from './definition.js';
import { IcingaEventSchema, NagiosNotificationSchema, type IcingaEvent, type NagiosNotification } from './payload.js';

/** A host or service state, as Nagios writes it. */
type NagiosState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN' | 'UP' | 'DOWN' | 'UNREACHABLE';
type StateType = 'HARD' | 'SOFT';

const SERVICE_STATES: readonly NagiosState[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
const HOST_STATES: readonly NagiosState[] = ['UP', 'DOWN', 'UNREACHABLE'];

/** Notification types that start flows; every other type (ACKNOWLEDGEMENT, FLAPPING…, DOWNTIME…, CUSTOM) is only recorded. */
const STARTING_NOTIFICATION_TYPES: ReadonlySet<string> = new Set(['PROBLEM', 'RECOVERY']);

const SEVERITY: Record<NagiosState, Severity> = {
  CRITICAL: 'critical',
  DOWN: 'critical',
  WARNING: 'warning',
  UNKNOWN: 'unknown',
  UNREACHABLE: 'unknown',
  OK: 'info',
  UP: 'info',
};

const isRecovered = (state: NagiosState) => state === 'OK' || state === 'UP';

class Problem extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** `WARNING`, `warning` or `1` (a $SERVICESTATEID$) for a service; `DOWN` or `1` for a host. */
function parseState(value: string | undefined, kind: 'host' | 'service', field: string): NagiosState {
  const states = kind === 'service' ? SERVICE_STATES : HOST_STATES;
  const text = (value ?? '').trim().toUpperCase();
  if (/^\d$/.test(text) && Number(text) < states.length) return states[Number(text)]!;
  const known = [...SERVICE_STATES, ...HOST_STATES].find((s) => s === text);
  if (known) return known;
  throw new Problem([field], `must be a ${kind} state (${states.join(', ')}), got ${JSON.stringify((value ?? '').slice(0, 64))}`);
}

/** `HARD`/`SOFT`, or Icinga's 1/0. Empty means HARD: Nagios sends notifications for hard states only. */
function parseStateType(value: string | undefined, field: string): StateType {
  const text = (value ?? '').trim().toUpperCase();
  if (text === '' || text === 'HARD' || text === '1') return 'HARD';
  if (text === 'SOFT' || text === '0') return 'SOFT';
  throw new Problem([field], `must be HARD or SOFT, got ${JSON.stringify((value ?? '').slice(0, 64))}`);
}

/** Epoch seconds (`$TIMET$`, `1700000000` or `1697188278.203504`) → RFC 3339; undefined when empty or 0. */
function epochToIso(value: string | number | undefined, field: string): string | undefined {
  if (value === undefined || value === '' || value === '0' || value === 0) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 253402300799) {
    throw new Problem([field], `must be a time in epoch seconds (as $TIMET$), got ${JSON.stringify(String(value).slice(0, 64))}`);
  }
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/** Cuts `text` to at most MAX_VALUE_BYTES of UTF-8, ending with "…" when cut (plugin output can be long). */
export function bounded(text: string): string {
  return truncateBytes(text, MAX_VALUE_BYTES);
}

/** A label value is identity: too long is an error, never cut. */
function label(value: string, field: string): string {
  if (exceedsValueLimit(value)) throw new Problem([field], `is longer than ${MAX_VALUE_BYTES} bytes`);
  return value;
}

/** Split plugin output into its first line (the summary) and the rest. */
function splitOutput(output: string): { first: string; rest: string } {
  const text = output.replace(/\r\n/g, '\n').trim();
  const newline = text.indexOf('\n');
  return newline < 0 ? { first: text, rest: '' } : { first: text.slice(0, newline).trim(), rest: text.slice(newline + 1).trim() };
}

/** Annotations without empty values, each bounded. */
function annotationsOf(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined && v.trim() !== '') out[k] = bounded(v);
  return out;
}

const usableId = (id: string | undefined) => (id && id.trim() !== '' && id.trim() !== '0' ? id.trim() : undefined);

/** A notification posted by salve-notify (or rendered from the same macro template). */
function fromNotification(n: NagiosNotification, raw: unknown, receivedAt: string): Alert {
  const host = label(n.host_name, 'host_name');
  const service = label((n.service_description ?? '').trim(), 'service_description');
  const kind = service ? 'service' : 'host';
  const state = kind === 'service' ? parseState(n.state, 'service', 'state') : parseState(n.state || n.host_state, 'host', n.state ? 'state' : 'host_state');
  const stateType = parseStateType(kind === 'service' ? n.state_type : n.state_type || n.host_state_type, 'state_type');
  const status: AlertStatus = isRecovered(state) ? 'resolved' : 'firing';
  const notificationType = (n.notification_type ?? '').trim().toUpperCase() || (status === 'resolved' ? 'RECOVERY' : 'PROBLEM');
  if (!/^[A-Z_]{1,64}$/.test(notificationType)) {
    throw new Problem(['notification_type'], `must be a Nagios notification type (PROBLEM, RECOVERY, ACKNOWLEDGEMENT…), got ${JSON.stringify(notificationType.slice(0, 64))}`);
  }
  const changedAt = epochToIso(n.last_state_change, 'last_state_change');
  const sentAt = epochToIso(n.timestamp, 'timestamp');
  const at = changedAt ?? sentAt ?? receivedAt;
  const fingerprint = service ? `${host}!${service}` : host;
  // The problem episode: the current problem id, or on recovery the one it ends.
  const episode = usableId(n.problem_id) ?? (status === 'resolved' ? usableId(n.last_problem_id) : undefined);
  const output = splitOutput(n.plugin_output ?? '');
  const labels: Record<string, string> = { host };
  if (service) labels.service = service;
  if (n.host_address) labels.address = label(n.host_address, 'host_address');
  Object.assign(labels, { state, state_type: stateType, notification_type: notificationType });
  return {
    source: 'nagios',
    status,
    name: service || host,
    severity: SEVERITY[state],
    summary: bounded(output.first || service || host),
    description: bounded((n.long_plugin_output ?? '').replace(/\\n/g, '\n').trim() || output.rest),
    labels,
    annotations: annotationsOf({
      output: n.plugin_output,
      long_output: n.long_plugin_output,
      host_state: kind === 'service' ? n.host_state : undefined,
      attempt: n.current_attempt,
      max_attempts: n.max_attempts,
      duration: n.duration,
      notification_number: n.notification_number,
      problem_id: episode,
      author: n.acknowledgement_author,
      comment: n.acknowledgement_comment,
      contact: n.contact_name,
    }),
    startsAt: at,
    endsAt: status === 'resolved' ? at : '',
    fingerprint,
    dedupKey: episode
      ? JSON.stringify(['nagios', fingerprint, 'problem', episode, state, notificationType])
      : JSON.stringify(['nagios', fingerprint, at, state, notificationType]),
    links: {},
    raw,
  };
}

/** The notification type an Icinga 2 event stands for (Icinga's own $notification.type$ words where there is one). */
function icingaNotificationType(event: IcingaEvent, state: NagiosState): string {
  switch (event.type) {
    case 'StateChange':
      return isRecovered(state) ? 'RECOVERY' : 'PROBLEM';
    case 'AcknowledgementSet':
      return 'ACKNOWLEDGEMENT';
    case 'AcknowledgementCleared':
      return 'ACKNOWLEDGEMENTCLEARED';
    case 'Flapping':
      return event.is_flapping === false ? 'FLAPPINGEND' : 'FLAPPINGSTART';
  }
}

/** One Icinga 2 event-stream object (StateChange, AcknowledgementSet/Cleared, Flapping). */
function fromIcinga(event: IcingaEvent, raw: unknown): Alert {
  const host = label(event.host, 'host');
  const service = label((event.service ?? '').trim(), 'service');
  const kind = service ? 'service' : 'host';
  const states = kind === 'service' ? SERVICE_STATES : HOST_STATES;
  if (event.state >= states.length) throw new Problem(['state'], `must be a ${kind} state number (0–${states.length - 1}), got ${event.state}`);
  const state = states[event.state]!;
  const stateType: StateType = event.state_type === 0 ? 'SOFT' : 'HARD';
  const status: AlertStatus = isRecovered(state) ? 'resolved' : 'firing';
  const notificationType = icingaNotificationType(event, state);
  const at = epochToIso(event.timestamp, 'timestamp')!;
  const fingerprint = service ? `${host}!${service}` : host;
  const output = splitOutput(event.check_result?.output ?? '');
  const summary =
    event.type === 'AcknowledgementSet'
      ? `Acknowledged${event.author ? ` by ${event.author}` : ''}${event.comment ? `: ${event.comment}` : ''}`
      : event.type === 'AcknowledgementCleared'
        ? 'Acknowledgement cleared'
        : event.type === 'Flapping'
          ? notificationType === 'FLAPPINGSTART' ? 'Flapping started' : 'Flapping ended'
          : output.first;
  const labels: Record<string, string> = { host };
  if (service) labels.service = service;
  Object.assign(labels, { state, state_type: stateType, notification_type: notificationType });
  return {
    source: 'nagios',
    status,
    name: service || host,
    severity: SEVERITY[state],
    summary: bounded(summary || service || host),
    description: bounded(output.rest),
    labels,
    annotations: annotationsOf({
      icinga_type: event.type,
      output: event.check_result?.output,
      downtime_depth: event.downtime_depth === undefined ? undefined : String(event.downtime_depth),
      acknowledged: event.acknowledgement === undefined ? undefined : String(event.acknowledgement === true || event.acknowledgement === 1),
      author: event.author,
      comment: event.comment,
    }),
    startsAt: at,
    endsAt: status === 'resolved' ? at : '',
    fingerprint,
    // The event's own time identifies it: the same line posted again is the same notification.
    dedupKey: JSON.stringify(['nagios', fingerprint, 'icinga', event.type, String(event.timestamp), state, stateType]),
    links: {},
    raw,
  };
}

const SHAPE_HELP = 'must be a JSON object: a notification from salve-notify (host_name, state, notification_type…) or an Icinga 2 event-stream object (type, host, state…)';

function toAlert(item: unknown, receivedAt: string, base: (string | number)[]): Alert {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new ValidationError('Nagios payload is invalid', [{ path: base, message: SHAPE_HELP }]);
  const fields = item as Record<string, unknown>;
  const isNotification = 'host_name' in fields;
  if (!isNotification && !('type' in fields)) throw new ValidationError('Nagios payload is invalid', [{ path: base, message: SHAPE_HELP }]);
  // An event type Salve does not read is reported alone, not with every field it lacks.
  const type = isNotification ? undefined : IcingaEventSchema.shape.type.safeParse(fields.type);
  if (type && !type.success) throw new ValidationError('Nagios payload is invalid', issuesFromZod(type.error.issues, [...base, 'type']));
  const parsed = isNotification ? NagiosNotificationSchema.safeParse(item) : IcingaEventSchema.safeParse(item);
  if (!parsed.success) throw new ValidationError('Nagios payload is invalid', issuesFromZod(parsed.error.issues, base));
  try {
    return isNotification ? fromNotification(parsed.data as NagiosNotification, item, receivedAt) : fromIcinga(parsed.data as IcingaEvent, item);
  } catch (error) {
    if (error instanceof Problem) throw new ValidationError('Nagios payload is invalid', [{ path: [...base, ...error.path], message: error.message }]);
    throw error;
  }
}

/**
 * Turns a Nagios/Icinga notification (salve-notify's JSON) or an Icinga 2 event-stream object
 * into an alert; a JSON list is one alert per element. Throws ValidationError naming the field.
 */
export function normalizeNagios(body: unknown, now: Date): Alert[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('Nagios payload is invalid', [{ path: [], message: `too many events: ${items.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` }]);
  }
  const receivedAt = now.toISOString();
  const issues: Issue[] = [];
  const alerts: Alert[] = [];
  items.forEach((item, index) => {
    try {
      alerts.push(toAlert(item, receivedAt, Array.isArray(body) ? [index] : []));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  });
  if (issues.length > 0) throw new ValidationError('Nagios payload is invalid', issues.slice(0, 20));
  return alerts;
}

/**
 * Whether a normalized Nagios alert starts a flow: only PROBLEM and RECOVERY (acknowledgements,
 * flapping and downtime notices are recorded), only HARD states unless `hardOnly` is off, nothing
 * for an Icinga object in downtime, and then the usual `on`.
 */
export function acceptsNagios(config: Pick<NagiosConfig, 'on' | 'hardOnly'>, alert: Alert): boolean {
  if (!STARTING_NOTIFICATION_TYPES.has(alert.labels.notification_type ?? '')) return false;
  if (config.hardOnly && alert.labels.state_type === 'SOFT') return false;
  const downtime = alert.annotations.downtime_depth;
  if (downtime !== undefined && downtime !== '0') return false;
  return acceptsStatus(config.on, alert);
}

/** `source.nagios`: verifies the configured credentials, reads salve-notify JSON and Icinga 2 events. */
export const nagiosAdapter: WebhookAdapter<NagiosConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (_config, body, ctx) => normalizeNagios(body, new Date(ctx.now)),
  accepts: acceptsNagios,
};
