import { defaultDedupKey, normalizeSeverity, type Alert } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError } from '../../../shared/errors.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { MAX_ALERTS_PER_DELIVERY } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { AlertmanagerConfig } from './definition.js';
import { AmPayloadSchema, type AmAlert } from './payload.js';

// Alertmanager sends Go's zero time for "no end known yet".
const isZeroTime = (t: string | undefined) => !t || t.startsWith('0001-01-01');

/** `{alertname="DiskFull", instance="db1"}`: the labels as an Alertmanager silence filter. */
function silenceFilter(labels: Record<string, string>): string {
  const quote = (v: string) => JSON.stringify(v); // escapes `"` and `\` as Alertmanager expects
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${quote(labels[k]!)}`)
    .join(', ')}}`;
}

/** A link to a pre-filled "new silence" form, when `externalURL` is a usable http(s) URL. */
function silenceLink(externalURL: string | undefined, labels: Record<string, string>): string | undefined {
  if (!externalURL) return undefined;
  try {
    const url = new URL(externalURL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return `${externalURL.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(silenceFilter(labels))}`;
}

function toAlert(am: AmAlert, externalURL: string | undefined, raw: unknown): Alert {
  const name = am.labels.alertname!;
  const links: Alert['links'] = {};
  if (am.generatorURL) links.source = am.generatorURL;
  if (am.annotations.dashboard_url) links.dashboard = am.annotations.dashboard_url;
  if (am.annotations.runbook_url) links.runbook = am.annotations.runbook_url;
  const silence = silenceLink(externalURL, am.labels);
  if (silence) links.silence = silence;
  const alert = {
    source: 'alertmanager',
    status: am.status,
    name,
    severity: normalizeSeverity(am.labels.severity),
    summary: am.annotations.summary || am.annotations.description || name,
    description: am.annotations.description ?? '',
    labels: am.labels,
    annotations: am.annotations,
    startsAt: am.startsAt,
    endsAt: isZeroTime(am.endsAt) ? '' : am.endsAt!,
    fingerprint: am.fingerprint || labelsFingerprint(am.labels),
    links,
    raw,
  };
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

/** Turns an Alertmanager v4 payload into one alert per entry of `alerts[]`; throws ValidationError naming the field. */
export function normalizeAlertmanager(body: unknown): Alert[] {
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  // Checked before parsing so an oversized group costs nothing.
  if (Array.isArray(alerts) && alerts.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('Alertmanager payload is invalid', [
      { path: ['alerts'], message: `too many alerts: ${alerts.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` },
    ]);
  }
  const parsed = AmPayloadSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('Alertmanager payload is invalid', issuesFromZod(parsed.error.issues));
  return parsed.data.alerts.map((a, i) => toAlert(a, parsed.data.externalURL, (alerts as unknown[])[i]));
}

/** `source.alertmanager`: verifies the configured credentials and reads webhook v4 payloads. */
export const alertmanagerAdapter: SourceAdapter<AlertmanagerConfig> = {
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (_config, body) => normalizeAlertmanager(body),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
