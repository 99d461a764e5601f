import { z } from 'zod';
import { ValidationError, issuesFromZod } from '../../../shared/errors.js';
import { normalizeSeverity, type Alert } from '../../../shared/alert/schema.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { acceptsStatus } from '../auth.js';
import { labelFingerprint } from '../fingerprint.js';
import { verifyAuth } from '../verify-auth.js';
import type { AlertmanagerConfigSchema } from './definition.js';

const MAX_VALUE = 4096;
const labelMap = z
  .record(z.string().max(256), z.string().max(MAX_VALUE, `values must be at most ${MAX_VALUE} characters`))
  .refine((m) => Object.keys(m).length <= 256, 'at most 256 entries');

/** The webhook v4 payload; unknown fields are allowed (Alertmanager adds fields over time). */
const PayloadSchema = z.looseObject({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  externalURL: z.string().optional(),
  truncatedAlerts: z.number().optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
        labels: labelMap,
        annotations: labelMap.optional().default({}),
        startsAt: z.string({ error: 'startsAt is required' }),
        endsAt: z.string().optional().default(''),
        generatorURL: z.string().optional(),
        fingerprint: z.string().optional(),
      }),
      { error: 'alerts must be a list' },
    )
    .max(1000, 'at most 1000 alerts per delivery'),
});

type Config = z.output<typeof AlertmanagerConfigSchema>;

function silenceLink(externalURL: string | undefined, labels: Record<string, string>): string | undefined {
  if (!externalURL) return undefined;
  const filter = `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)
    .join(',')}}`;
  return `${externalURL.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(filter)}`;
}

export const alertmanagerAdapter: SourceAdapter<Config> = {
  authenticate: (config, request, secrets) => verifyAuth(config.auth, request, secrets),

  normalize(_config, body) {
    const parsed = PayloadSchema.safeParse(body);
    if (!parsed.success) throw new ValidationError('not an Alertmanager webhook payload', issuesFromZod(parsed.error.issues));
    return parsed.data.alerts.map((a): Alert => {
      const name = a.labels.alertname ?? '';
      const links: Alert['links'] = {};
      if (a.generatorURL) links.source = a.generatorURL;
      if (a.annotations.runbook_url) links.runbook = a.annotations.runbook_url;
      if (a.annotations.dashboard_url) links.dashboard = a.annotations.dashboard_url;
      const silence = silenceLink(parsed.data.externalURL, a.labels);
      if (silence) links.silence = silence;
      return {
        source: 'alertmanager',
        status: a.status,
        name,
        severity: normalizeSeverity(a.labels.severity),
        summary: a.annotations.summary ?? a.annotations.description ?? name,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        // Alertmanager's "no end" is the zero time; expose it as empty.
        endsAt: a.endsAt.startsWith('0001-01-01') ? '' : a.endsAt,
        fingerprint: a.fingerprint || labelFingerprint('alertmanager', name, a.labels),
        links,
      };
    });
  },

  accepts: (config, alert) => acceptsStatus(config.on, alert.status),
};
