import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus } from '../../../shared/alert/schema.js';
import { ValidationError, type Issue } from '../../../shared/errors.js';
import { EvalBudget, evaluateCel, ExpressionError } from '../../../shared/expr/index.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
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

/**
 * One event of a delivery, and the evaluation budget all the mappings of the delivery share
 * (shared/expr/budget.ts): the sender chooses how many events a delivery holds, so a budget per
 * expression alone would not bound the delivery.
 */
interface Input {
  event: unknown;
  budget: EvalBudget;
}

function evaluate(field: keyof WebhookMapping, source: string, input: Input): unknown {
  try {
    return evaluateCel(source, { event: input.event }, { budget: input.budget });
  } catch (error) {
    const reason = error instanceof ExpressionError ? (error.issues[0]?.message ?? error.message) : (error as Error).message;
    throw new MappingProblem(['mapping', field], `${source} could not be evaluated: ${reason}`);
  }
}

/** Evaluates a mapping that must give text (numbers are accepted and written as text). */
function text(field: keyof WebhookMapping, source: string, input: Input): string {
  const value = evaluate(field, source, input);
  let out: string;
  if (typeof value === 'string') out = value;
  else if (typeof value === 'number' && Number.isFinite(value)) out = String(value);
  else throw new MappingProblem(['mapping', field], `${source} must give a string, got ${describeType(value)}`);
  if (exceedsValueLimit(out)) throw new MappingProblem(['mapping', field], `${source} gives a value longer than ${MAX_VALUE_BYTES} bytes`);
  return out;
}

function status(source: string, input: Input): AlertStatus {
  const value = text('status', source, input).trim().toLowerCase();
  if (value === 'firing' || value === 'resolved') return value;
  throw new MappingProblem(['mapping', 'status'], `${source} must give "firing" or "resolved", got ${JSON.stringify(value)}`);
}

function timestamp(field: 'startsAt' | 'endsAt', source: string, input: Input): string {
  const value = text(field, source, input);
  // endsAt may be empty: no end known (yet).
  if (field === 'endsAt' && value === '') return value;
  if (Number.isNaN(Date.parse(value))) {
    const expected = field === 'endsAt' ? 'an RFC 3339 timestamp or ""' : 'an RFC 3339 timestamp';
    throw new MappingProblem(['mapping', field], `${source} must give ${expected}, got ${JSON.stringify(value.slice(0, 64))}`);
  }
  return value;
}

function skipped(source: string, input: Input): boolean {
  const value = evaluate('skip', source, input);
  if (typeof value !== 'boolean') throw new MappingProblem(['mapping', 'skip'], `${source} must give true or false, got ${describeType(value)}`);
  return value;
}

function labels(source: string, input: Input): Record<string, string> {
  const value = evaluate('labels', source, input);
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

function toAlert(mapping: WebhookMapping, input: Input, receivedAt: string): Alert | undefined {
  if (mapping.skip && skipped(mapping.skip, input)) return undefined;
  const name = text('name', mapping.name, input);
  if (name.trim() === '') throw new MappingProblem(['mapping', 'name'], `${mapping.name} gave an empty name`);
  const alertLabels = mapping.labels ? labels(mapping.labels, input) : {};
  const alert = {
    source: 'webhook',
    status: mapping.status ? status(mapping.status, input) : 'firing',
    name,
    severity: mapping.severity ? normalizeSeverity(text('severity', mapping.severity, input)) : 'unknown',
    summary: (mapping.summary ? text('summary', mapping.summary, input) : '') || name,
    description: mapping.description ? text('description', mapping.description, input) : '',
    labels: alertLabels,
    annotations: {},
    startsAt: mapping.startsAt ? timestamp('startsAt', mapping.startsAt, input) : receivedAt,
    endsAt: mapping.endsAt ? timestamp('endsAt', mapping.endsAt, input) : '',
    fingerprint: (mapping.fingerprint ? text('fingerprint', mapping.fingerprint, input) : '') || labelsFingerprint(alertLabels, name),
    links: {},
    raw: input.event,
  };
  const key = mapping.dedupKey ? text('dedupKey', mapping.dedupKey, input) : '';
  return { ...alert, dedupKey: key ? JSON.stringify(['webhook', key, alert.status]) : defaultDedupKey(alert) };
}

/**
 * Turns any JSON body into alerts with the configured CEL mapping: one alert, or one per element
 * when the body is an array, leaving out events for which `mapping.skip` gives true. Throws
 * ValidationError naming `mapping.<field>` (and the element).
 */
export function normalizeWebhook(config: WebhookConfig, body: unknown, now: Date): Alert[] {
  const events = Array.isArray(body) ? body : [body];
  if (events.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('webhook payload is invalid', [
      { path: [], message: `too many events: ${events.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` },
    ]);
  }
  const receivedAt = now.toISOString();
  const budget = new EvalBudget();
  const issues: Issue[] = [];
  const alerts: Alert[] = [];
  events.forEach((event, index) => {
    try {
      const alert = toAlert(config.mapping, { event, budget }, receivedAt);
      if (alert) alerts.push(alert);
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
export const webhookAdapter: WebhookAdapter<WebhookConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (config, body, ctx) => normalizeWebhook(config, body, new Date(ctx.now)),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
