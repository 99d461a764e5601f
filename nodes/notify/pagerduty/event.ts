import type { Severity } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import type { PagerDutyNotifyConfig } from './definition.js';

/** PagerDuty's limits (Events API v2): longer values are refused, so they are cut here. */
const DEDUP_KEY_MAX = 255;
const SUMMARY_MAX = 1024;

type PdSeverity = 'critical' | 'error' | 'warning' | 'info';

/** The alert's severity in PagerDuty's words; PagerDuty has no "unknown", and an unsure page is an error. */
const FROM_ALERT: Record<Severity, PdSeverity> = { critical: 'critical', high: 'error', warning: 'warning', info: 'info', unknown: 'error' };

/** One event of the Events API v2, as posted to `/v2/enqueue`. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PdSeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
  client: string;
  client_url?: string;
}

const isWebLink = (href: string | undefined): href is string => href !== undefined && /^https?:\/\//i.test(href);

/**
 * The event a step sends: from its config (templates already rendered, the routing key resolved)
 * and, for what the config leaves out, from the alert that started the execution. Acknowledge
 * and resolve carry only the dedup key: PagerDuty ignores a payload on them.
 */
export function pagerDutyEvent(
  config: Resolved<PagerDutyNotifyConfig>,
  vars: Pick<ExprVars, 'alert' | 'flow' | 'execution'>,
  /** This run's page in the editor (ExecContext.runUrl): the incident's first link, and its client URL. */
  runUrl?: string,
): PagerDutyEvent {
  const { alert } = vars;
  const base = {
    routing_key: config.routingKey,
    event_action: config.action,
    dedup_key: truncate(config.dedupKey ?? alert.fingerprint, DEDUP_KEY_MAX),
    client: 'Salve',
    ...(runUrl ? { client_url: runUrl } : {}),
  };
  if (config.action !== 'trigger') return base;
  const summary = config.summary ?? (alert.summary ? `${alert.name}: ${alert.summary}` : alert.name);
  const links = [
    ['Salve run', runUrl],
    ['Runbook', alert.links.runbook],
    ['Dashboard', alert.links.dashboard],
    ['Alert source', alert.links.source],
  ]
    .filter((link): link is [string, string] => isWebLink(link[1]))
    .map(([text, href]) => ({ href, text }));
  const startsAt = Date.parse(alert.startsAt);
  return {
    ...base,
    payload: {
      summary: truncate(summary, SUMMARY_MAX),
      source: config.source ?? alert.labels.instance ?? alert.labels.host ?? 'salve',
      severity: config.severity === 'from-alert' ? FROM_ALERT[alert.severity] : config.severity,
      ...(Number.isNaN(startsAt) ? {} : { timestamp: new Date(startsAt).toISOString() }),
      ...(config.component ? { component: config.component } : {}),
      ...(config.group ? { group: config.group } : {}),
      ...(config.class ? { class: config.class } : {}),
      custom_details: config.customDetails ?? { ...alert.labels, salve: { flow: vars.flow.id, execution: vars.execution.id } },
    },
    ...(links.length > 0 ? { links } : {}),
  };
}
