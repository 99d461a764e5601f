import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { normalizeSeverity, type Alert } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError } from '../../../shared/errors.js';
import type { SourceAdapter } from '../../source-adapter.js';
import type { ManualRunContext } from '../../source-trigger.js';
import { notStartedReasonFor } from '../common.js';
import { boundedStringMap } from '../limits.js';
import type { ManualConfig } from './definition.js';

/**
 * What a manual run's payload may say about its alert. Everything is optional and any other
 * field is allowed (the whole payload is `event`); the fields that are given must fit.
 */
const ManualPayloadSchema = z.looseObject(
  {
    name: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200).optional(),
    summary: z.string({ error: 'must be a string' }).max(4096).optional(),
    description: z.string({ error: 'must be a string' }).max(16_384).optional(),
    severity: z.string({ error: 'must be a severity word, e.g. "critical" or "warning"' }).max(64).optional(),
    labels: boundedStringMap('labels').optional(),
    annotations: boundedStringMap('annotations').optional(),
  },
  { error: 'must be a JSON object, e.g. {"labels": {"instance": "db1"}}' },
);

/** `{"b":1,"a":2}` and `{"a":2,"b":1}` alike: JSON with object keys sorted, for hashing. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The alert of a manual run. `payload` must be a JSON object; ValidationError issues name the
 * field inside it (e.g. `labels.instance`). Name: the payload's `name`, else the config's, else
 * the flow's. Fingerprint: a hash of the payload (the same payload is the same alert), dedupKey:
 * fresh, so running the same payload twice runs twice.
 */
export function manualAlert(config: ManualConfig, payload: unknown, ctx: ManualRunContext): Alert {
  const parsed = ManualPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new ValidationError('manual run payload is invalid', issuesFromZod(parsed.error.issues));
  const p = parsed.data;
  const name = p.name ?? config.name ?? ctx.flowName ?? 'Manual run';
  return {
    source: 'manual',
    status: 'firing',
    name,
    severity: normalizeSeverity(p.severity),
    summary: p.summary ?? `${name}, run by hand${ctx.actor ? ` by ${ctx.actor}` : ''}`,
    description: p.description ?? '',
    labels: p.labels ?? {},
    annotations: p.annotations ?? {},
    startsAt: new Date(ctx.now).toISOString(),
    endsAt: '',
    fingerprint: createHash('sha256').update(canonical(payload)).digest('hex'),
    dedupKey: ctx.dedupKey ?? `manual:${randomUUID()}`,
    links: {},
    raw: payload,
  };
}

/**
 * `source.manual` takes no deliveries (its trigger is `manual`, so the hook router never routes
 * to it): runs start through `POST /api/flows/:id/run` (trigger.ts); `normalize` serves simulation.
 */
export const manualAdapter: SourceAdapter<ManualConfig> = {
  normalize: (config, body, ctx) => [manualAlert(config, body, { now: ctx.now })],
  accepts: () => true,
  notStartedReason: (_config, alert) => notStartedReasonFor(undefined, alert),
};
