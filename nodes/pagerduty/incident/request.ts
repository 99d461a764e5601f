import type { Alert } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import type { JsonAnswer } from '../../json-api.js';
import { MAX_NOTE_CHARS, type PagerDutyIncidentConfig } from './definition.js';

type Config = Resolved<PagerDutyIncidentConfig>;

/** An incident id as PagerDuty writes them (`PT4KHLK`, `Q0RIJJZL24RC6W`): letters and digits. */
const INCIDENT_ID = /^[A-Za-z0-9]{1,64}$/;

/** `source.pagerduty` names its alerts' source so (its ingest keeps the incident id as the fingerprint). */
const PAGERDUTY_ALERT_SOURCE = 'pagerduty';

/**
 * The incident a step acts on, or why there is none: `incidentId` as rendered, else the incident
 * of a run a PagerDuty webhook started (its alert's fingerprint is the incident's id).
 */
export function incidentIdOf(config: Pick<Config, 'incidentId'>, alert: Pick<Alert, 'source' | 'fingerprint'>): { id: string } | { problem: string } {
  if (config.incidentId !== undefined) {
    const id = config.incidentId.trim();
    if (id === '') return { problem: 'incidentId rendered empty: the run has no incident id there' };
    if (!INCIDENT_ID.test(id)) return { problem: `incidentId is ${JSON.stringify(truncate(id, 100))}, not a PagerDuty incident id (letters and digits, e.g. PT4KHLK)` };
    return { id };
  }
  if (alert.source !== PAGERDUTY_ALERT_SOURCE) {
    return { problem: `the run's alert comes from ${JSON.stringify(truncate(alert.source, 50))}, not from a PagerDuty webhook, so it names no incident: set incidentId` };
  }
  if (!INCIDENT_ID.test(alert.fingerprint)) {
    return { problem: `the run's PagerDuty alert has no incident id (fingerprint ${JSON.stringify(truncate(alert.fingerprint, 100))}): set incidentId` };
  }
  return { id: alert.fingerprint };
}

/** The marker that ties a note to the step that posted it: found again when the step is retried. */
export function stepMarker(idempotencyKey: string): string {
  return `[salve ${idempotencyKey}]`;
}

/** The note a step posts: its text, then the run's link (or id) and the step's marker. */
function noteContent(note: string, vars: Pick<ExprVars, 'execution'>, at: { idempotencyKey: string; runUrl?: string | undefined }): string {
  return `${truncate(note, MAX_NOTE_CHARS)}\nSalve run: ${at.runUrl ?? vars.execution.id} ${stepMarker(at.idempotencyKey)}`;
}

/** What a step sends: the method, the path below `baseUrl` and the JSON body. */
export interface IncidentRequest {
  method: 'PUT' | 'POST';
  url: URL;
  body: { incident: { type: 'incident_reference'; status: 'acknowledged' | 'resolved' } } | { note: { content: string } };
}

/** The request for `config.action` on incident `id` (the same for the run and the Test panel's preview). */
export function incidentRequest(config: Config, id: string, vars: Pick<ExprVars, 'execution'>, at: { idempotencyKey: string; runUrl?: string | undefined }): IncidentRequest {
  const incident = `/incidents/${encodeURIComponent(id)}`;
  if (config.action === 'note') {
    return { method: 'POST', url: serviceEndpoint(config.baseUrl, `${incident}/notes`), body: { note: { content: noteContent(config.note, vars, at) } } };
  }
  const status = config.action === 'acknowledge' ? 'acknowledged' : 'resolved';
  return { method: 'PUT', url: serviceEndpoint(config.baseUrl, incident), body: { incident: { type: 'incident_reference', status } } };
}

/** The headers of every call: PagerDuty's versioned media type, the key's scheme, and the acting user. */
export function pagerDutyHeaders(config: Pick<Config, 'token' | 'from'>): Record<string, string> {
  return {
    Accept: 'application/vnd.pagerduty+json;version=2',
    Authorization: `Token token=${config.token}`,
    From: config.from,
  };
}

/** PagerDuty's error object: `{ "error": { "message", "code", "errors": [...] } }`. */
export interface PagerDutyError {
  message?: string;
  code?: number;
  errors: string[];
}

/** The error object of a refusal, bounded; undefined when the answer has none. */
export function errorOf(answer: JsonAnswer): PagerDutyError | undefined {
  const error = (answer.json as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const { message, code, errors } = error as { message?: unknown; code?: unknown; errors?: unknown };
  return {
    ...(typeof message === 'string' ? { message: truncate(message, 500) } : {}),
    ...(typeof code === 'number' ? { code } : {}),
    errors: Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string').slice(0, 20).map((e) => truncate(e, 500)) : [],
  };
}

/** PagerDuty's words for a refusal: message, details and code; the body's text when it has no error object. */
export function reasonOf(answer: JsonAnswer, error = errorOf(answer)): string {
  if (!error) return truncate(answer.text, 1000) || 'no reason given';
  const words = [error.message, ...error.errors].filter((w): w is string => !!w).join('; ') || 'no reason given';
  return error.code === undefined ? words : `${words} (code ${error.code})`;
}

/** PagerDuty's codes (and words) for an incident already in the status asked for. */
const ALREADY = {
  resolved: { code: 1001, words: /incident already resolved/i },
  acknowledged: { code: 1002, words: /incident already acknowledged/i },
} as const;

/** Whether a refusal says the incident already is `status`. */
export function saysAlready(error: PagerDutyError | undefined, status: keyof typeof ALREADY): boolean {
  if (!error) return false;
  const { code, words } = ALREADY[status];
  return error.code === code || [error.message ?? '', ...error.errors].some((w) => words.test(w));
}
