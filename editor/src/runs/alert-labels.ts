import type { Alert } from '../../../shared/alert/schema.js';

/**
 * Which alert labels to show where space is short. Operators identify an alert by where it
 * fires (instance, service, host…), so those come first; `alertname` and `severity` are shown
 * as the name and the severity already.
 */
const KEY_LABELS = ['instance', 'service', 'host', 'hostname', 'node', 'pod', 'namespace', 'cluster', 'job', 'mountpoint', 'device'];
const SHOWN_ELSEWHERE = new Set(['alertname', 'severity']);

export type LabelPair = [name: string, value: string];

/** Up to `max` identifying labels, most telling first. */
export function keyLabels(alert: Pick<Alert, 'labels'> | null | undefined, max = 2): LabelPair[] {
  const labels = alert?.labels ?? {};
  const out: LabelPair[] = [];
  for (const name of KEY_LABELS) {
    const value = labels[name];
    if (value !== undefined && value !== '') out.push([name, value]);
    if (out.length >= max) break;
  }
  return out;
}

/** Every label except the ones shown as name and severity: key labels first, then A–Z. */
export function displayLabels(alert: Pick<Alert, 'labels'> | null | undefined): LabelPair[] {
  const labels = alert?.labels ?? {};
  const rank = (name: string) => {
    const i = KEY_LABELS.indexOf(name);
    return i === -1 ? KEY_LABELS.length : i;
  };
  return Object.entries(labels)
    .filter(([name]) => !SHOWN_ELSEWHERE.has(name))
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The alert's links as [words, url], in the order an operator wants them; only http(s) URLs. */
export function alertLinks(alert: Pick<Alert, 'links'> | null | undefined): { label: string; href: string }[] {
  const links = alert?.links ?? {};
  const order: [keyof Alert['links'], string][] = [
    ['runbook', 'Runbook'],
    ['dashboard', 'Dashboard'],
    ['source', 'Source'],
    ['silence', 'Silence'],
  ];
  // Alert payloads come from outside: a `javascript:` URL must never become a link.
  return order.flatMap(([key, label]) => {
    const href = links[key];
    return href && /^https?:\/\//i.test(href) ? [{ label, href }] : [];
  });
}
