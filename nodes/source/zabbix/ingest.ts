import { defaultDedupKey, normalizeSeverity, type Alert, type AlertStatus, type Severity } from '../../../shared/alert/schema.js';
import { issuesFromZod, ValidationError, type Issue } from '../../../shared/errors.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { secretRefs } from '../hmac-schema.js';
import { verifyHmac } from '../hmac.js';
import { stringMapIssues } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import { ZABBIX_SIGNATURE_HEADER, ZABBIX_TIMESTAMP_HEADER, type ZabbixConfig } from './definition.js';
import { ZabbixEventSchema, ZulipStyleSchema, type ZabbixEvent, type ZulipStyleEvent } from './payload.js';

/** Zabbix's six severities by number ({EVENT.NSEVERITY}). */
const SEVERITY_BY_NUMBER: readonly Severity[] = ['unknown', 'info', 'warning', 'warning', 'high', 'critical'];
/** …and by their default names ({EVENT.SEVERITY}, {TRIGGER.SEVERITY}). */
const SEVERITY_BY_NAME: Record<string, Severity> = {
  'not classified': 'unknown',
  information: 'info',
  warning: 'warning',
  average: 'warning',
  high: 'high',
  disaster: 'critical',
};

/**
 * Salve's severity for a Zabbix one: the number 0..5 first (names can be renamed in Zabbix's
 * settings), then a default name, then any common severity word.
 */
export function zabbixSeverity(severity: number | string | undefined, name?: string): Severity {
  for (const value of [severity, name]) {
    if (value === undefined) continue;
    const text = String(value).trim().toLowerCase();
    if (/^[0-5]$/.test(text)) return SEVERITY_BY_NUMBER[Number(text)]!;
    if (text === '') continue;
    return SEVERITY_BY_NAME[text] ?? normalizeSeverity(text);
  }
  return 'unknown';
}

/** `https://zabbix.example/`, usable as the base of an event link, or undefined. */
function frontendBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return url.trim().replace(/\/+$/, '');
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const isTrue = (v: boolean | number | string | undefined) => v === true || v === 1 || v === '1';

/** Tags as labels; a tag name Zabbix repeats (scope: availability, scope: performance) joins its values with ",". */
function tagLabels(tags: { tag: string; value: string }[]): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const { tag, value } of tags) {
    const list = values.get(tag.trim()) ?? [];
    if (!list.includes(value)) list.push(value);
    values.set(tag.trim(), list);
  }
  // fromEntries defines each key as data, so a tag named "__proto__" stays a label.
  return Object.fromEntries([...values].map(([tag, list]) => [tag, list.join(',')]));
}

function fromSalveDocument(e: ZabbixEvent, raw: unknown): Alert {
  const status: AlertStatus = String(e.eventValue) === '1' ? 'firing' : 'resolved';
  const name = e.triggerName?.trim() || e.eventName?.trim() || '';
  const labels = tagLabels(e.tags);
  // What Zabbix itself says about the host wins over a tag of the same name.
  if (e.host) labels.host = e.host;
  if (e.hostIp) labels.host_ip = e.hostIp;
  const annotations: Record<string, string> = {};
  const summary = e.eventName?.trim() || name;
  annotations.summary = summary;
  if (e.triggerDescription) annotations.description = e.triggerDescription;
  if (e.opdata) annotations.opdata = e.opdata;
  if (isTrue(e.eventUpdate)) {
    if (e.updateAction) annotations.update_action = e.updateAction;
    if (e.updateMessage) annotations.update_message = e.updateMessage;
  }
  const links: Alert['links'] = {};
  const base = frontendBase(e.zabbixUrl);
  if (base) links.source = `${base}/tr_events.php?triggerid=${e.triggerId}&eventid=${e.eventId}`;
  const alert = {
    source: 'zabbix',
    status,
    name,
    severity: zabbixSeverity(e.severity, e.severityName),
    summary,
    description: e.triggerDescription ?? '',
    labels,
    annotations,
    startsAt: iso(e.eventTimestamp),
    endsAt: status === 'resolved' && e.recoveryTimestamp !== undefined ? iso(e.recoveryTimestamp) : '',
    // {EVENT.ID} is the problem event in problem, update and recovery messages alike.
    fingerprint: `${e.triggerId}:${e.eventId}`,
    links,
    raw,
  };
  return { ...alert, dedupKey: defaultDedupKey(alert) };
}

/** The trigger and event ids of a `tr_events.php?triggerid=…&eventid=…` link. */
function eventLinkIds(link: string | undefined): { triggerId?: string; eventId?: string } {
  if (!link) return {};
  try {
    const url = new URL(link);
    const triggerId = url.searchParams.get('triggerid') ?? '';
    const eventId = url.searchParams.get('eventid') ?? '';
    return { ...(/^\d+$/.test(triggerId) ? { triggerId } : {}), ...(/^\d+$/.test(eventId) ? { eventId } : {}) };
  } catch {
    return {};
  }
}

function fromZulipStyle(e: ZulipStyleEvent, raw: unknown, now: Date): Alert {
  const status: AlertStatus = e.status === 'PROBLEM' ? 'firing' : 'resolved';
  const name = e.trigger.trim();
  const labels: Record<string, string> = { host: e.hostname };
  const annotations: Record<string, string> = { summary: name };
  if (e.item) annotations.item = e.item;
  const links: Alert['links'] = {};
  if (e.link && frontendBase(e.link)) links.source = e.link;
  const ids = eventLinkIds(e.link);
  // No problem event id in this shape (on OK the link names the recovery event), so the
  // trigger is the identity; without a link, the host and trigger name.
  const fingerprint = ids.triggerId ? `${ids.triggerId}` : labelsFingerprint(labels, 'zabbix', name);
  // No event time either: the delivery's arrival stands in, and the link's event id tells
  // a redelivery (same event) from a new problem.
  const startsAt = now.toISOString();
  const alert = {
    source: 'zabbix',
    status,
    name,
    severity: zabbixSeverity(undefined, e.severity),
    summary: name,
    description: '',
    labels,
    annotations,
    startsAt,
    endsAt: status === 'resolved' ? startsAt : '',
    fingerprint,
    links,
    raw,
  };
  const dedupKey = ids.eventId ? JSON.stringify(['zabbix', fingerprint, `event:${ids.eventId}`, status]) : defaultDedupKey(alert);
  return { ...alert, dedupKey };
}

function invalid(issues: Issue[]): never {
  throw new ValidationError('Zabbix payload is invalid', issues.slice(0, 20));
}

/**
 * Turns one Zabbix delivery into one alert. Reads the document Salve's media type posts, and the
 * shape of Zulip's media type (hostname, severity, status, item, trigger, link). Throws
 * ValidationError naming the field.
 */
export function normalizeZabbix(body: unknown, now: Date): Alert[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    invalid([{ path: [], message: "must be a JSON object: the document Salve's Zabbix media type posts" }]);
  }
  const record = body as Record<string, unknown>;
  const salveDocument = 'eventId' in record || 'triggerId' in record || 'version' in record;
  if (!salveDocument && 'trigger' in record && 'status' in record) {
    const parsed = ZulipStyleSchema.safeParse(body);
    if (!parsed.success) invalid(issuesFromZod(parsed.error.issues));
    return [fromZulipStyle(parsed.data, body, now)];
  }
  const parsed = ZabbixEventSchema.safeParse(body);
  if (!parsed.success) invalid(issuesFromZod(parsed.error.issues));
  const e = parsed.data;
  if (!e.triggerName?.trim() && !e.eventName?.trim()) {
    invalid([{ path: ['triggerName'], message: 'missing: needs {TRIGGER.NAME} (or eventName, {EVENT.NAME})' }]);
  }
  const alert = fromSalveDocument(e, body);
  const labelIssue = stringMapIssues(alert.labels, 'labels')[0];
  if (labelIssue) invalid([{ path: ['tags'], message: labelIssue.message }]);
  return [alert];
}

/** `source.zabbix`: verifies the media type's signature (or the configured credentials) and reads its deliveries. */
export const zabbixAdapter: WebhookAdapter<ZabbixConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => {
    const auth = config.auth;
    if (auth.type !== 'hmac') return verifyAuth(auth, request, ctx.secrets);
    return verifyHmac(
      { secrets: secretRefs(auth.secret), signatureHeader: ZABBIX_SIGNATURE_HEADER, timestampHeader: ZABBIX_TIMESTAMP_HEADER },
      request,
      ctx,
    );
  },
  normalize: (_config, body, ctx) => normalizeZabbix(body, new Date(ctx.now)),
  accepts: (config, alert) => acceptsStatus(config.on, alert),
};
