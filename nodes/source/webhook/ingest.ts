import type { z } from 'zod';
import { ValidationError, type Issue } from '../../../shared/errors.js';
import { AlertStatusSchema, normalizeSeverity, type Alert } from '../../../shared/alert/schema.js';
import { evaluateCel } from '../../../shared/expr/index.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { acceptsStatus } from '../auth.js';
import { labelFingerprint } from '../fingerprint.js';
import { verifyAuth } from '../verify-auth.js';
import type { WebhookConfigSchema } from './definition.js';

type Config = z.output<typeof WebhookConfigSchema>;

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Maps one JSON document to an alert; problems are reported at `mapping.<field>`. */
function mapOne(config: Config, event: unknown, index: number | undefined, issues: Issue[]): Alert | undefined {
  const at = (field: string): (string | number)[] => (index === undefined ? ['mapping', field] : [index, 'mapping', field]);
  const get = (field: keyof Config['mapping']): unknown => {
    const source = config.mapping[field];
    if (source === undefined) return undefined;
    try {
      return evaluateCel(source, { event });
    } catch (error) {
      issues.push({ path: at(field), message: (error as Error).message });
      return undefined;
    }
  };
  const name = asText(get('name'));
  const rawLabels = get('labels') ?? {};
  const labels: Record<string, string> = {};
  if (rawLabels && typeof rawLabels === 'object' && !Array.isArray(rawLabels)) {
    for (const [k, v] of Object.entries(rawLabels)) labels[k] = asText(v);
  } else {
    issues.push({ path: at('labels'), message: 'must evaluate to a map' });
  }
  const statusText = asText(get('status') ?? 'firing').toLowerCase();
  const status = AlertStatusSchema.safeParse(statusText);
  if (!status.success) issues.push({ path: at('status'), message: `must evaluate to "firing" or "resolved", got ${JSON.stringify(statusText)}` });
  if (!name) issues.push({ path: at('name'), message: 'evaluated to an empty name' });
  if (issues.length) return undefined;
  const fingerprint = asText(get('fingerprint')) || labelFingerprint('webhook', name, labels);
  return {
    source: 'webhook',
    status: status.success ? status.data : 'firing',
    name,
    severity: normalizeSeverity(asText(get('severity'))),
    summary: asText(get('summary')) || name,
    labels,
    annotations: {},
    startsAt: asText(get('startsAt')),
    endsAt: '',
    fingerprint,
    links: {},
  };
}

export const webhookAdapter: SourceAdapter<Config> = {
  authenticate: (config, request, secrets) => verifyAuth(config.auth, request, secrets),

  normalize(config, body) {
    const issues: Issue[] = [];
    const events = Array.isArray(body) ? body.slice(0, 1000) : [body];
    const alerts = events
      .map((event, i) => mapOne(config, event, Array.isArray(body) ? i : undefined, issues))
      .filter((a): a is Alert => a !== undefined);
    if (issues.length) throw new ValidationError('the webhook body does not fit the mapping', issues);
    return alerts;
  },

  accepts: (config, alert) => acceptsStatus(config.on, alert.status),
};
