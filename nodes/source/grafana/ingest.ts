import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError } from '../../../shared/errors.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { secretRefs } from '../hmac-schema.js';
import { verifyHmac } from '../hmac.js';
import { MAX_ALERTS_PER_DELIVERY } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { GrafanaConfig } from './definition.js';
import { GrafanaPayloadSchema, type GrafanaAlert, type GrafanaPayload } from './payload.js';

/**
 * Added to every alert of a delivery from which Grafana dropped alerts (its "Max alerts"
 * setting): how many were left out. The dropped alerts themselves never reach Salve.
 */
export const TRUNCATED_ANNOTATION = 'salve_truncated_alerts';

// Grafana, like Alertmanager, sends Go's zero time for "no end known yet".
const isZeroTime = (t: string | undefined) => !t || t.startsWith('0001-01-01');

/** The group's `state` as an alert status: `alerting` fires, `ok` is resolved. */
const STATE_STATUS: Record<string, AlertStatus> = { alerting: 'firing', ok: 'resolved' };

function statusOf(alert: GrafanaAlert, group: GrafanaPayload): AlertStatus | undefined {
  if (alert.status) return alert.status;
  const fromState = group.state === undefined ? undefined : STATE_STATUS[group.state.toLowerCase()];
  if (fromState) return fromState;
  return group.status === 'firing' || group.status === 'resolved' ? group.status : undefined;
}

/** The title without its `[FIRING:1]` / `[FIRING:2, RESOLVED:1]` / `[RESOLVED]` mark, for rules without an alertname label. */
function nameFromTitle(title: string | undefined): string | undefined {
  const rest = (title ?? '').replace(/^\[(?:FIRING|RESOLVED)\b[^\]]*\]\s*/i, '').trim();
  return rest === '' ? undefined : rest;
}

function toAlert(g: GrafanaAlert, group: GrafanaPayload, status: AlertStatus, raw: unknown): Alert {
  const name = g.labels.alertname || nameFromTitle(group.title) || 'Grafana alert';
  const links: Alert['links'] = {};
  if (g.generatorURL) links.source = g.generatorURL;
  const dashboard = g.dashboardURL || g.panelURL;
  if (dashboard) links.dashboard = dashboard;
  if (g.annotations.runbook_url) links.runbook = g.annotations.runbook_url;
  if (g.silenceURL) links.silence = g.silenceURL;
  const annotations = { ...g.annotations };
  if (group.truncatedAlerts) annotations[TRUNCATED_ANNOTATION] = String(group.truncatedAlerts);
  const alert = {
    source: 'grafana',
    status,
    name,
    severity: normalizeSeverity(g.labels.severity),
    summary: g.annotations.summary || g.annotations.description || name,
    description: g.annotations.description ?? '',
    labels: g.labels,
    annotations,
    startsAt: g.startsAt,
    endsAt: isZeroTime(g.endsAt) ? '' : g.endsAt!,
    fingerprint: g.fingerprint || labelsFingerprint(g.labels, 'grafana'),
    links,
    raw,
  };
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

/** Turns a Grafana webhook payload into one alert per entry of `alerts[]`; throws ValidationError naming the field. */
export function normalizeGrafana(body: unknown): Alert[] {
  const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const alerts = record?.alerts;
  if (Array.isArray(alerts) && alerts.length > MAX_ALERTS_PER_DELIVERY) {
    throw new ValidationError('Grafana payload is invalid', [
      { path: ['alerts'], message: `too many alerts: ${alerts.length} (at most ${MAX_ALERTS_PER_DELIVERY} per delivery)` },
    ]);
  }
  // Legacy (pre-unified) Grafana alerting posted one rule per request, with no alerts[].
  if (record && alerts === undefined && ('ruleName' in record || 'evalMatches' in record)) {
    throw new ValidationError('Grafana payload is invalid', [
      { path: ['alerts'], message: 'missing: this looks like a legacy Grafana alerting notification (ruleName, evalMatches); Salve reads unified alerting (Grafana 9+) webhooks' },
    ]);
  }
  const parsed = GrafanaPayloadSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('Grafana payload is invalid', issuesFromZod(parsed.error.issues));
  const group = parsed.data;
  const statuses = group.alerts.map((a) => statusOf(a, group));
  const missing = statuses.flatMap((s, i) => (s === undefined ? [i] : []));
  if (missing.length > 0) {
    throw new ValidationError(
      'Grafana payload is invalid',
      missing.slice(0, 20).map((i) => ({
        path: ['alerts', i, 'status'],
        message: `missing: each alert needs "firing" or "resolved" (or the group a state of "alerting" or "ok"; got ${JSON.stringify(group.state ?? null)})`,
      })),
    );
  }
  return group.alerts.map((a, i) => toAlert(a, group, statuses[i]!, (alerts as unknown[])[i]));
}

/** `source.grafana`: verifies Grafana's HMAC signature (or the configured credentials) and reads its webhooks. */
export const grafanaAdapter: WebhookAdapter<GrafanaConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => {
    const auth = config.auth;
    if (auth.type !== 'hmac') return verifyAuth(auth, request, ctx.secrets);
    return verifyHmac(
      { secrets: secretRefs(auth.secret), signatureHeader: auth.header, ...(auth.timestampHeader ? { timestampHeader: auth.timestampHeader } : {}) },
      request,
      ctx,
    );
  },
  normalize: (_config, body) => normalizeGrafana(body),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
