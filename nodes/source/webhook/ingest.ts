import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus } from '../../../shared/alert/schema.js';
import { ValidationError, type Issue } from '../../../shared/errors.js';
import { evaluateCel, ExpressionError } from '../../../shared/expr/index.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { exceedsValueLimit, MAX_ALERTS_PER_DELIVERY, MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES, stringMapIssues } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { WebhookConfig, WebhookMapping } from './definition.js';

/** A mapping that did not give a usable value for one event. */
class MappingProblem extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

const describeType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : typeof v);

function evaluate(field: keyof WebhookMapping, source: string, event: unknown): unknown {
  try {
    return evaluateCel(source, { event });
  } catch (error) {
    const reason = error instanceof ExpressionError ? (error.issues[0]?.message ?? error.message) : (error as Error).message;
    throw new MappingProblem(['mapping', field], `${source} could not be evaluated: ${reason}`);
  }
}

/** Evaluates a mapping that must give text (numbers are accepted and written as text). */
function text(field: keyof WebhookMapping, source: string, event: unknown): string {
  const value = evaluate(field, source, event);
  let out: string;
  if (typeof value === 'string') out = value;
  else if (typeof value === 'number' && Number.isFinite(value)) out = String(value);
  else throw new MappingProblem(['mapping', field], `${source} must give a string, got ${describeType(value)}`);
  if (exceedsValueLimit(out)) throw new MappingProblem(['mapping', field], `${source} gives a value longer than ${MAX_VALUE_BYTES} bytes`);
  return out;
}

function status(source: string, event: unknown): AlertStatus {
  const value = text('status', source, event).trim().toLowerCase();
  if (value === 'firing' || value === 'resolved') return value;
  throw new MappingProblem(['mapping', 'status'], `${source} must give "firing" or "resolved", got ${JSON.stringify(value)}`);
}

function timestamp(source: string, event: unknown): string {
  const value = text('startsAt', source, event);
  if (Number.isNaN(Date.parse(value))) {
    throw new MappingProblem(['mapping', 'startsAt'], `${source} must give an RFC 3339 timestamp, got ${JSON.stringify(value.slice(0, 64))}`);
  }
  return value;
}

function labels(source: string, event: unknown): Record<string, string> {
  const value = evaluate('labels', source, event);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MappingProblem(['mapping', 'labels'], `${source} must give a map of strings, got ${describeType(value)}`);
  }
  const entries = Object.entries(value);
  for (const [k, v] of entries.slice(0, MAX_LABELS_PER_ALERT + 1)) {
    if (typeof v !== 'string') {
      throw new MappingProblem(['mapping', 'labels', k], `label "${k}" must be a string, got ${describeType(v)}`);
    }
  }
  // fromEntries defines each key as data, so a label named "__proto__" stays a label.
  const out = Object.fromEntries(entries) as Record<string, string>;
  const problem = stringMapIssues(out, 'labels')[0];
  if (problem) throw new MappingProblem(['mapping', 'labels', ...(problem.key ? [problem.key] : [])], problem.message);
  return out;
}

function toAlert(mapping: WebhookMapping, event: unknown, receivedAt: string): Alert {
  const name = text('name', mapping.name, event);
  if (name.trim() === '') throw new MappingProblem(['mapping', 'name'], `${mapping.name} gave an empty name`);
  const alertLabels = mapping.labels ? labels(mapping.labels, event) : {};
  const alert = {
    source: 'webhook',
    status: mapping.status ? status(mapping.status, event) : 'firing',
    name,
    severity: mapping.severity ? normalizeSeverity(text('severity', mapping.severity, event)) : 'unknown',
    summary: (mapping.summary ? text('summary', mapping.summary, event) : '') || name,
    description: '',
    labels: alertLabels,
    annotations: {},
    startsAt: mapping.startsAt ? timestamp(mapping.startsAt, event) : receivedAt,
    endsAt: '',
    fingerprint: (mapping.fingerprint ? text('fingerprint', mapping.fingerprint, event) : '') || labelsFingerprint(alertLabels, name),
    links: {},
    raw: event,
  };
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

/**
 * Turns any JSON body into alerts with the configured CEL mapping: one alert, or one per element
 * when the body is an array. Throws ValidationError naming `mapping.<field>` (and the element).
 */
export function normalizeWebhook(config: WebhookConfig, body: unknown, now = new Date()): Alert[] {
  const events = Array.isArray(body) ? body : [body];
  if (events.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('webhook payload is invalid', [
      { path: [], message: `too many events: ${events.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` },
    ]);
  }
  const receivedAt = now.toISOString();
  const issues: Issue[] = [];
  const alerts: Alert[] = [];
  events.forEach((event, index) => {
    try {
      alerts.push(toAlert(config.mapping, event, receivedAt));
    } catch (error) {
      if (!(error instanceof MappingProblem)) throw error;
      const where = Array.isArray(body) ? `element [${index}]: ` : '';
      issues.push({ path: error.path, message: `${where}${error.message}` });
    }
  });
  if (issues.length > 0) throw new ValidationError('webhook payload does not fit the mapping', issues.slice(0, 20));
  return alerts;
}

/** `source.webhook`: verifies the configured credentials and maps JSON with CEL. */
export const webhookAdapter: SourceAdapter<WebhookConfig> = {
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (config, body) => normalizeWebhook(config, body),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
