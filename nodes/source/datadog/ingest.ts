import { normalizeSeverity, type Alert, type Severity } from '../../../shared/alert/schema.js';
import { ValidationError, type Issue } from '../../../shared/errors.js';
import type { WebhookAdapter } from '../../source-adapter.js';
import { webhookBase } from '../adapter-parts.js';
import { acceptsStatus } from '../common.js';
import { labelsFingerprint } from '../fingerprint.js';
import { MAX_LABELS_PER_ALERT, stringMapIssues } from '../limits.js';
import { verifyAuth } from '../verify-auth.js';
import type { DatadogConfig } from './definition.js';

/**
 * A monitor's state as a transition reports it. `alert` is the monitor's critical threshold
 * (Datadog's "Alert" state), `warn` its warning threshold, `no_data` missing data, `ok` recovered.
 */
export type DatadogState = 'alert' | 'warn' | 'no_data' | 'ok';

const STATE_WORDS: Record<string, DatadogState> = {
  triggered: 'alert',
  alert: 'alert',
  warn: 'warn',
  warning: 'warn',
  'no data': 'no_data',
  recovered: 'ok',
  ok: 'ok',
};

/** The word Salve writes as the `transition` label when the payload only implies it. */
const STATE_TRANSITION: Record<DatadogState, string> = { alert: 'Triggered', warn: 'Warn', no_data: 'No Data', ok: 'Recovered' };

/**
 * Reads `$ALERT_TRANSITION` (or the word at the start of a title): `Triggered`, `Warn`,
 * `No Data`, `Recovered`, and the reminders `Re-Triggered`, `Re-Warn`, `Re-No Data` and
 * `Renotify` (a reminder of a state it does not name). Undefined for anything else (`Null`…).
 */
export function parseTransition(word: string): { state: DatadogState | undefined; repeat: boolean } | undefined {
  const w = word.trim().toLowerCase().replace(/\s+/g, ' ');
  if (w === 'renotify') return { state: undefined, repeat: true };
  const repeat = w.startsWith('re-');
  const state = STATE_WORDS[repeat ? w.slice(3) : w];
  return state ? { state, repeat } : undefined;
}

/** Whether a `transition` label is a reminder of a state already notified. */
function isReminder(transition: string | undefined): boolean {
  return transition !== undefined && parseTransition(transition)?.repeat === true;
}

const TYPE_STATES: Record<string, DatadogState> = { error: 'alert', warning: 'warn', success: 'ok' };

/** Severity: the monitor's priority when it has one (P1…P5), else its state. */
export function datadogSeverity(priority: string | undefined, state: DatadogState): Severity {
  const fromPriority = normalizeSeverity(priority);
  if (fromPriority !== 'unknown') return fromPriority;
  switch (state) {
    case 'alert':
      return 'critical';
    case 'warn':
    case 'no_data':
      return 'warning';
    case 'ok':
      return 'unknown';
  }
}

/**
 * A notification title: `[P2] [Warn on {service:api}] Name` → priority, transition, scope and
 * the monitor name. Leading bracket groups are read while they are a priority or a transition;
 * the rest is the name (`[Triggered] [Memory Alert]` is named `[Memory Alert]`).
 */
export function parseTitle(title: string): { name: string; priority?: string; transition?: string; scope?: string } {
  const out: { name: string; priority?: string; transition?: string; scope?: string } = { name: '' };
  let rest = title;
  for (;;) {
    const group = /^\s*\[([^\]]*)\]\s*/.exec(rest);
    if (!group) break;
    const inner = group[1]!.trim();
    if (/^P[1-5]$/i.test(inner)) out.priority = inner.toUpperCase();
    else {
      const m = /^(.*?)(?:\s+on\s+\{(.*)\})?$/.exec(inner)!;
      if (!parseTransition(m[1]!)) break;
      out.transition = m[1]!.trim();
      if (m[2]) out.scope = m[2];
    }
    rest = rest.slice(group[0].length);
  }
  out.name = rest.trim();
  return out;
}

/** `host:b, device:/var` and `{device:/var,host:b}` alike: tags sorted, one comma between. */
function normalizeScope(scope: string): string {
  return scope
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== '*')
    .sort()
    .join(',');
}

/** `env:prod,monitor,service:api` (or a list) → `{ env: 'prod', monitor: '', service: 'api' }`; repeated keys join with ",". */
function tagMap(tags: string[]): Record<string, string> {
  // No prototype: a tag named "__proto__" stays a tag.
  const out = Object.create(null) as Record<string, string>;
  for (const tag of tags) {
    const i = tag.indexOf(':');
    const key = (i < 0 ? tag : tag.slice(0, i)).trim();
    const value = i < 0 ? '' : tag.slice(i + 1).trim();
    if (key === '') continue;
    out[key] = Object.hasOwn(out, key) && out[key] !== value ? `${out[key]},${value}` : value;
  }
  return out;
}

const UNRENDERED = /^\$[A-Z][A-Z0-9_]*$/;

/** Reads the text fields of a delivery, collecting an issue for each field of the wrong type. */
class Fields {
  readonly issues: Issue[] = [];
  constructor(private readonly body: Record<string, unknown>) {}

  /** A field's text: trimmed; empty, absent and unrendered (`$ALERT_ID`) values are undefined. */
  text(key: string, from: Record<string, unknown> = this.body, path: string[] = [key]): string | undefined {
    const value = from[key];
    if (value === undefined || value === null) return undefined;
    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else {
      this.issues.push({ path, message: 'must be a string' });
      return undefined;
    }
    return text === '' || UNRENDERED.test(text) ? undefined : text;
  }

  /** `org.id` / `org.name`. */
  org(key: 'id' | 'name'): string | undefined {
    const org = this.body.org;
    if (org === undefined || org === null) return undefined;
    if (typeof org !== 'object' || Array.isArray(org)) {
      if (key === 'id') this.issues.push({ path: ['org'], message: 'must be an object: {"id": "$ORG_ID", "name": "$ORG_NAME"}' });
      return undefined;
    }
    return this.text(key, org as Record<string, unknown>, ['org', key]);
  }

  /** `$TAGS`: a comma-separated string (or a list of strings). */
  tags(): string[] {
    const value = this.body.tags;
    if (Array.isArray(value)) {
      if (value.every((t) => typeof t === 'string')) return value.filter((t) => !UNRENDERED.test(t));
      this.issues.push({ path: ['tags'], message: 'must be a comma-separated string or a list of strings' });
      return [];
    }
    const text = this.text('tags');
    return text === undefined ? [] : text.split(',');
  }
}

/** Epoch milliseconds (as Datadog's $DATE), epoch seconds, or an ISO time → ISO; undefined when unreadable. */
function toIso(value: string): string | undefined {
  if (/^\d{1,16}$/.test(value)) {
    const n = Number(value);
    const ms = value.length <= 11 ? n * 1000 : n;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}

function invalid(issues: Issue[]): never {
  throw new ValidationError('Datadog webhook payload is invalid', issues);
}

function checkLimits(map: Record<string, string>, what: 'labels' | 'annotations', fieldOf: Record<string, string[]>): void {
  const problems = stringMapIssues(map, what);
  if (problems.length > 0) {
    invalid(
      problems.map((p) => ({
        path: p.key && fieldOf[p.key] ? fieldOf[p.key]! : p.key === undefined && what === 'labels' ? ['tags'] : [what, ...(p.key ? [p.key] : [])],
        message: p.message,
      })),
    );
  }
}

/**
 * Turns one Datadog webhook delivery into one alert. Reads the recommended template
 * (docs/datadog/payload-template.json), Datadog's default payload (body, title, date, org, id)
 * and payloads with Keep-style names (alert_transition, severity, scopes, url, monitor_id).
 * Throws ValidationError naming the field.
 */
export function normalizeDatadog(body: unknown, now: Date): Alert[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    invalid([{ path: [], message: 'must be a JSON object: the payload of a Datadog webhook' }]);
  }
  const f = new Fields(body as Record<string, unknown>);
  const message = f.text('body');
  const title = f.text('alert_title') ?? f.text('title');
  const parsedTitle = title ? parseTitle(title) : { name: '' as string, priority: undefined, transition: undefined, scope: undefined };

  const transitionWord = f.text('alert_transition');
  const alertType = f.text('alert_type')?.toLowerCase();
  const fromField = transitionWord ? parseTransition(transitionWord) : undefined;
  const fromTitle = parsedTitle.transition ? parseTransition(parsedTitle.transition) : undefined;
  const state = fromField?.state ?? fromTitle?.state ?? (alertType ? TYPE_STATES[alertType] : undefined);
  const transition = (fromField ? transitionWord : undefined) ?? parsedTitle.transition ?? (state ? STATE_TRANSITION[state] : undefined);

  const monitorId = f.text('alert_id') ?? f.text('monitor_id') ?? (message ? /\/monitors\/(\d+)/.exec(message)?.[1] : undefined);
  const rawScope = f.text('alert_scope') ?? f.text('scopes') ?? parsedTitle.scope;
  const scope = rawScope === undefined ? '' : normalizeScope(rawScope);
  const priority = f.text('alert_priority') ?? f.text('severity') ?? parsedTitle.priority;
  const cycleKey = f.text('alert_cycle_key');
  const eventId = f.text('id');
  const eventType = f.text('event_type');
  const date = f.text('date') ?? f.text('last_updated');
  const orgId = f.org('id');
  const orgName = f.org('name');
  const tags = f.tags();
  const link = f.text('link') ?? f.text('url') ?? (message ? /\[Monitor Status\]\((https?:\/\/[^)\s]+)\)/.exec(message)?.[1] : undefined);
  const hostname = f.text('hostname');
  const alertStatus = f.text('alert_status');
  const query = f.text('alert_query');
  const metric = f.text('alert_metric');
  const aggregKey = f.text('aggreg_key');
  if (f.issues.length > 0) invalid(f.issues);

  const name = parsedTitle.name || (monitorId ? `Monitor ${monitorId}` : '');
  const issues: Issue[] = [];
  if (name === '') issues.push({ path: ['title'], message: 'needs the monitor title ($EVENT_TITLE) or its id ($ALERT_ID)' });
  if (state === undefined) {
    issues.push({
      path: ['alert_transition'],
      message:
        'cannot tell whether the monitor alerts or recovered: expected Triggered, Warn, No Data, Recovered (or Re-…, Renotify); ' +
        'add "alert_transition": "$ALERT_TRANSITION" to the payload',
    });
  }
  let startsAt = now.toISOString();
  if (date !== undefined) {
    const iso = toIso(date);
    if (iso === undefined) issues.push({ path: [f.text('date') !== undefined ? 'date' : 'last_updated'], message: 'must be epoch milliseconds ($DATE) or an ISO 8601 time' });
    else startsAt = iso;
  }
  if (issues.length > 0 || state === undefined) invalid(issues);

  const tagLabels = tagMap(tags.slice(0, MAX_LABELS_PER_ALERT + 1));
  const labels: Record<string, string> = { ...tagLabels, ...tagMap(scope === '' ? [] : scope.split(',')) };
  const fieldOf: Record<string, string[]> = Object.fromEntries(Object.keys(labels).map((k) => [k, ['tags']]));
  const put = (map: Record<string, string>, key: string, value: string | undefined, field: string[]) => {
    if (value === undefined) return;
    map[key] = value;
    fieldOf[key] = field;
  };
  put(labels, 'transition', transition, ['alert_transition']);
  put(labels, 'monitor_id', monitorId, ['alert_id']);
  put(labels, 'scope', scope === '' ? undefined : scope, ['alert_scope']);
  put(labels, 'priority', priority, ['alert_priority']);
  put(labels, 'alert_type', alertType, ['alert_type']);
  put(labels, 'event_type', eventType, ['event_type']);
  put(labels, 'cycle_key', cycleKey, ['alert_cycle_key']);
  put(labels, 'hostname', hostname, ['hostname']);
  put(labels, 'org_id', orgId, ['org', 'id']);
  checkLimits(labels, 'labels', fieldOf);

  const annotations: Record<string, string> = {};
  const annotationField: Record<string, string[]> = {};
  const note = (key: string, value: string | undefined, field: string[]) => {
    if (value === undefined) return;
    annotations[key] = value;
    annotationField[key] = field;
  };
  note('title', title, [f.text('alert_title') !== undefined ? 'alert_title' : 'title']);
  note('status', alertStatus, ['alert_status']);
  note('query', query, ['alert_query']);
  note('metric', metric, ['alert_metric']);
  note('event_id', eventId, ['id']);
  note('aggreg_key', aggregKey, ['aggreg_key']);
  note('org_name', orgName, ['org', 'name']);
  checkLimits(annotations, 'annotations', annotationField);

  const status = state === 'ok' ? 'resolved' : 'firing';
  const fingerprint = cycleKey ?? (monitorId ? (scope ? `${monitorId}/${scope}` : monitorId) : labelsFingerprint({ name, scope }, 'datadog'));
  const links: Alert['links'] = {};
  if (link) links.source = link;
  return [
    {
      source: 'datadog',
      status,
      name,
      severity: datadogSeverity(priority, state),
      summary: alertStatus ?? title ?? name,
      description: (message ?? '').replace(/^%%%\s*/, '').replace(/\s*%%%$/, '').trim(),
      labels,
      annotations,
      startsAt,
      endsAt: status === 'resolved' ? startsAt : '',
      fingerprint,
      // One run per monitor state per alert cycle: a reminder (Re-Triggered…) or a retried
      // delivery repeats the key. Without $ALERT_CYCLE_KEY each notification (event id) is
      // its own key, and reminders start nothing (see accepts).
      dedupKey: cycleKey
        ? JSON.stringify(['datadog', cycleKey, state])
        : JSON.stringify(['datadog', fingerprint, state, eventId ?? date ?? startsAt]),
      links,
      raw: body,
    },
  ];
}

/** `source.datadog`: Datadog signs nothing; the configured credentials come as a custom header. */
export const datadogAdapter: WebhookAdapter<DatadogConfig> = {
  ...webhookBase,
  authenticate: (config, request, ctx) => verifyAuth(config.auth, request, ctx.secrets),
  normalize: (_config, body, ctx) => normalizeDatadog(body, new Date(ctx.now)),
  // A reminder with no cycle key cannot be told from a new notification: it starts nothing.
  accepts: (config, alert) => acceptsStatus(config.on, alert) && !(isReminder(alert.labels.transition) && !alert.labels.cycle_key),
};
