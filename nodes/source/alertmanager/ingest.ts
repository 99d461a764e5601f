import { createHash } from 'node:crypto';
import { defaultDedupKey, normalizeSeverity, type Alert, type Severity } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError } from '../../../shared/errors.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { MAX_ALERTS_PER_DELIVERY } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { AlertmanagerConfig } from './definition.js';
import { AmPayloadSchema, type AmAlert, type AmPayload } from './payload.js';
import { isZeroTime, toUtcTimestamp } from './time.js';

/** Annotation set on every alert of a delivery from which Alertmanager dropped alerts (`max_alerts`). */
export const TRUNCATED_ANNOTATION = 'salve_truncated_alerts';
/** Group mode: how many alerts of the group fire, and how many are resolved, in this delivery. */
const GROUP_FIRING_ANNOTATION = 'salve_alerts_firing';
const GROUP_RESOLVED_ANNOTATION = 'salve_alerts_resolved';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

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
  if (!externalURL || Object.keys(labels).length === 0) return undefined;
  try {
    const url = new URL(externalURL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return `${externalURL.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(silenceFilter(labels))}`;
}

function links(generatorURL: string | undefined, annotations: Record<string, string>, silence: string | undefined): Alert['links'] {
  const out: Alert['links'] = {};
  if (generatorURL) out.source = generatorURL;
  if (annotations.dashboard_url) out.dashboard = annotations.dashboard_url;
  if (annotations.runbook_url) out.runbook = annotations.runbook_url;
  if (silence) out.silence = silence;
  return out;
}

/** `{ salve_truncated_alerts: "3" }` when Alertmanager dropped alerts from this delivery, else `{}`. */
function truncation(payload: AmPayload): Record<string, string> {
  return payload.truncatedAlerts ? { [TRUNCATED_ANNOTATION]: String(payload.truncatedAlerts) } : {};
}

function toAlert(am: AmAlert, payload: AmPayload, raw: unknown): Alert {
  const name = am.labels.alertname!;
  const startsAt = toUtcTimestamp(am.startsAt)!;
  // A firing alert's endsAt is only when Alertmanager would time it out; the end is known once resolved.
  const endsAt = am.status === 'resolved' && !isZeroTime(am.endsAt) ? toUtcTimestamp(am.endsAt!)! : '';
  const alert = {
    source: 'alertmanager',
    status: am.status,
    name,
    severity: normalizeSeverity(am.labels.severity),
    summary: am.annotations.summary || am.annotations.description || name,
    description: am.annotations.description ?? '',
    labels: am.labels,
    annotations: { ...am.annotations, ...truncation(payload) },
    startsAt,
    endsAt,
    fingerprint: am.fingerprint || labelsFingerprint(am.labels),
    links: links(am.generatorURL, am.annotations, silenceLink(payload.externalURL, am.labels)),
    raw,
  };
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, warning: 2, info: 1, unknown: 0 };

/** Labels every alert of the group shares (what Alertmanager puts in `commonLabels`). */
function sharedLabels(alerts: Alert[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first.labels).filter(([k, v]) => rest.every((a) => a.labels[k] === v)));
}

const byTime = (a: string, b: string) => Date.parse(a) - Date.parse(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Group mode: the whole delivery as one alert. Its identity (`fingerprint`) is the group
 * (`groupKey`); its notification identity (`dedupKey`) is the group plus the exact set of alerts
 * and their states, so Alertmanager re-sending an unchanged group (repeat_interval, an HA peer)
 * starts nothing, while a group that gained, lost or resolved an alert is a new notification.
 */
function toGroupAlert(payload: AmPayload, alerts: Alert[], raw: unknown): Alert {
  const firing = alerts.filter((a) => a.status === 'firing');
  const resolved = alerts.length - firing.length;
  const status = firing.length > 0 ? 'firing' : 'resolved';
  const labels = payload.commonLabels ?? sharedLabels(alerts);
  const common = payload.commonAnnotations ?? {};
  const names = [...new Set(alerts.map((a) => a.name))].sort();
  const name = payload.groupLabels?.alertname || labels.alertname || names.join(', ').slice(0, 1024);
  const ranked = firing.length > 0 ? firing : alerts;
  const severity = ranked.reduce<Severity>((worst, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[worst] ? a.severity : worst), 'unknown');
  const groupKey = payload.groupKey !== undefined ? String(payload.groupKey) : JSON.stringify([payload.receiver ?? '', labelsFingerprint(payload.groupLabels ?? {})]);
  const fingerprint = sha256(JSON.stringify(['alertmanager-group', groupKey]));
  const members = alerts.map((a) => JSON.stringify([a.fingerprint, a.startsAt, a.status])).sort();
  const generators = new Set(alerts.map((a) => a.links.source ?? ''));
  const startsAt = alerts.map((a) => a.startsAt).sort(byTime)[0]!;
  const endsAt = status === 'resolved' ? (alerts.map((a) => a.endsAt).filter(Boolean).sort(byTime).pop() ?? '') : '';
  return {
    source: 'alertmanager',
    status,
    name,
    severity,
    summary: common.summary || common.description || `${name}: ${firing.length} firing, ${resolved} resolved`,
    description: common.description ?? '',
    labels,
    annotations: {
      ...common,
      [GROUP_FIRING_ANNOTATION]: String(firing.length),
      [GROUP_RESOLVED_ANNOTATION]: String(resolved),
      ...truncation(payload),
    },
    startsAt,
    endsAt,
    fingerprint,
    dedupKey: `alertmanager-group:${sha256(JSON.stringify([fingerprint, members]))}`,
    links: links(generators.size === 1 ? [...generators][0] : undefined, common, silenceLink(payload.externalURL, labels)),
    raw,
  };
}

/**
 * Turns an Alertmanager webhook payload into alerts: one per entry of `alerts[]`, or with
 * `group: true` one for the whole delivery. Throws ValidationError naming the field.
 */
export function normalizeAlertmanager(body: unknown, options: { group?: boolean } = {}): Alert[] {
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  // Checked before parsing so an oversized group costs nothing.
  if (Array.isArray(alerts) && alerts.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('Alertmanager payload is invalid', [
      { path: ['alerts'], message: `too many alerts: ${alerts.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` },
    ]);
  }
  const parsed = AmPayloadSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('Alertmanager payload is invalid', issuesFromZod(parsed.error.issues));
  const each = parsed.data.alerts.map((a, i) => toAlert(a, parsed.data, (alerts as unknown[])[i]));
  if (!options.group) return each;
  return each.length === 0 ? [] : [toGroupAlert(parsed.data, each, body)];
}

/** `source.alertmanager`: verifies the configured credentials and reads webhook payloads. */
export const alertmanagerAdapter: WebhookAdapter<AlertmanagerConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (config, body) => normalizeAlertmanager(body, { group: config.group }),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
