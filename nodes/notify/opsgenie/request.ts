import type { Severity } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { MESSAGE_MAX, type OpsgenieNotifyConfig } from './definition.js';

/** Opsgenie's limits (Alert API v2): longer values are refused, so they are cut here. */
const ALIAS_MAX = 512;
const DESCRIPTION_MAX = 15_000;
const NOTE_MAX = 25_000;
const TAG_MAX = 50;
const TAGS_MAX = 20;
/** Details: 8,000 characters in all (keys and values). */
const DETAILS_MAX = 8000;
const DETAIL_VALUE_MAX = 1000;

type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/** The alert's severity as an Opsgenie priority; an unsure alert gets Opsgenie's own default, P3. */
const FROM_ALERT: Record<Severity, Priority> = { critical: 'P1', high: 'P2', warning: 'P3', info: 'P5', unknown: 'P3' };

/** One request of the Alert API v2: always a POST with a JSON body. */
export interface OpsgenieRequest {
  alias: string;
  url: URL;
  body: Record<string, unknown>;
}

/** The marker a note carries, so a retry of the step finds the note its first try added. */
export function noteMarker(idempotencyKey: string): string {
  return `[salve ${idempotencyKey}]`;
}

/** `<alert name>: <summary>` (the name alone without a summary), cut to Opsgenie's 130 characters. */
function defaultMessage(alert: ExprVars['alert']): string {
  return truncate(alert.summary ? `${alert.name}: ${alert.summary}` : alert.name || 'Alert', MESSAGE_MAX);
}

/** The line every description and note ends with: where the run is. */
function runLine(vars: Pick<ExprVars, 'execution'>, runUrl: string | undefined): string {
  return `Salve run: ${runUrl ?? vars.execution.id}`;
}

/** Tags as Opsgenie keeps them: cut to 50 characters, no empty or repeated ones, at most 20. */
function tagsOf(tags: string[]): string[] {
  const kept = new Set(tags.map((t) => truncate(t.trim(), TAG_MAX)).filter((t) => t !== ''));
  return [...kept].slice(0, TAGS_MAX);
}

/** Details within Opsgenie's 8,000 characters: values cut, and the ones past the limit left out. */
function detailsOf(details: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [key, raw] of Object.entries(details)) {
    const value = truncate(raw, DETAIL_VALUE_MAX);
    if (size + key.length + value.length > DETAILS_MAX) break;
    out[key] = value;
    size += key.length + value.length;
  }
  return out;
}

/**
 * The request a step sends, or why it cannot be sent (a template that rendered empty): from
 * its config (templates rendered, the API key resolved) and, for what the config leaves out,
 * from the alert. The same for the run and the Test panel's preview.
 */
export function opsgenieRequest(
  config: Resolved<OpsgenieNotifyConfig>,
  vars: Pick<ExprVars, 'alert' | 'flow' | 'execution'>,
  at: { idempotencyKey: string; runUrl?: string | undefined },
): OpsgenieRequest | string {
  const { alert } = vars;
  const alias = truncate((config.alias ?? alert.fingerprint).trim(), ALIAS_MAX);
  if (alias === '') return config.alias === undefined ? 'the alert has no fingerprint to use as alias: set alias' : 'alias rendered empty';
  // A URL reads `.` and `..` segments (even percent-encoded) as moves up the path: such an alias
  // would reach another endpoint.
  if (alias === '.' || alias === '..') return `alias is ${JSON.stringify(alias)}, which cannot name an alert in a URL`;
  const run = runLine(vars, at.runUrl);

  if (config.action === 'create') {
    const message = config.message === undefined ? defaultMessage(alert) : truncate(config.message.trim(), MESSAGE_MAX);
    if (message === '') return 'message rendered empty';
    const text = config.description ?? [alert.summary, alert.description].filter((p) => p && p.trim() !== '').join('\n\n');
    const description = text.trim() === '' ? run : `${truncate(text.trim(), DESCRIPTION_MAX - run.length - 2)}\n\n${run}`;
    const details = config.details ?? {
      ...alert.labels,
      'salve.flow': vars.flow.id,
      'salve.execution': vars.execution.id,
      ...(at.runUrl ? { 'salve.run': at.runUrl } : {}),
    };
    const tags = config.tags ? tagsOf(config.tags) : [];
    return {
      alias,
      url: serviceEndpoint(config.baseUrl, '/v2/alerts'),
      body: {
        message,
        alias,
        description,
        priority: config.priority === 'from-alert' ? FROM_ALERT[alert.severity] : config.priority,
        ...(tags.length > 0 ? { tags } : {}),
        details: detailsOf(details),
        source: config.source,
        user: config.user,
      },
    };
  }

  const fallback = { acknowledge: 'Acknowledged by Salve.', close: 'Closed by Salve.', note: '' }[config.action];
  const text = (config.note ?? fallback).trim();
  if (config.action === 'note' && text === '') return 'note rendered empty';
  const tail = `${run} ${noteMarker(at.idempotencyKey)}`;
  const note = `${truncate(text, NOTE_MAX - tail.length - 1)}\n${tail}`;
  // The alias is one path segment, encoded: an alert's value never reaches another endpoint.
  const path = { acknowledge: 'acknowledge', close: 'close', note: 'notes' }[config.action];
  const url = serviceEndpoint(config.baseUrl, `/v2/alerts/${encodeURIComponent(alias)}/${path}`);
  url.searchParams.set('identifierType', 'alias');
  return { alias, url, body: { user: config.user, source: config.source, note } };
}

/** Where a retried note step looks for the note its first try added: the alert's latest notes. */
export function notesUrl(config: Pick<Resolved<OpsgenieNotifyConfig>, 'baseUrl'>, alias: string): URL {
  const url = serviceEndpoint(config.baseUrl, `/v2/alerts/${encodeURIComponent(alias)}/notes`);
  url.searchParams.set('identifierType', 'alias');
  url.searchParams.set('order', 'desc');
  url.searchParams.set('limit', '100');
  return url;
}
