import type { ExprVars } from '../../../shared/expr/types.js';
import type { Resolved } from '../../executor.js';
import type { SilenceConfig } from './definition.js';

/** A Prometheus label name, as Alertmanager 0.25 takes it in a silence's matcher. */
export const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A silence id as Alertmanager writes it (a UUID); its API refuses any other in a path. */
export const SILENCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Alertmanager API v2's matcher; Salve only ever sends equality matchers. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

/** The body of `POST /api/v2/silences`. */
export interface SilenceBody {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const equal = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });

/**
 * The matchers of the silence for the run's alert, or why there can be none. Alert values are
 * only ever matcher values, never regexes. Without `matchLabels` every label of the alert is
 * matched, and the alert must have `alertname`: a silence of whatever other labels it carried
 * (`severity="critical"` alone) could hide other alerts.
 */
export function silenceMatchers(config: Pick<Resolved<SilenceConfig>, 'matchLabels' | 'matchers'>, labels: Record<string, string>): SilenceMatcher[] | string {
  const chosen = new Map<string, string>();
  if (config.matchLabels) {
    for (const name of config.matchLabels) {
      const value = labels[name];
      if (value === undefined || value === '') return `the alert has no label ${name} to match (matchLabels lists it)`;
      chosen.set(name, value);
    }
  } else {
    if (!labels.alertname) return 'the alert has no alertname label: name the labels the silence matches in matchLabels';
    for (const [name, value] of Object.entries(labels)) {
      if (value === '') continue; // an empty label is the same as no label to Alertmanager
      if (!PROMETHEUS_LABEL_NAME.test(name)) return `the alert's label ${JSON.stringify(name.slice(0, 100))} is not a Prometheus label name: list the labels to match in matchLabels`;
      chosen.set(name, value);
    }
  }
  for (const [name, value] of Object.entries(config.matchers ?? {})) {
    if (value === '') return `the matcher ${name} rendered empty`;
    chosen.set(name, value);
  }
  if (chosen.size > 64) return `the silence would have ${chosen.size} matchers (at most 64): list the labels to match in matchLabels`;
  return [...chosen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => equal(name, value));
}

/** The marker that ties a silence to the step that created it: found again when the step is retried. */
export function stepMarker(idempotencyKey: string): string {
  return `[salve ${idempotencyKey}]`;
}

/** The silence a create step posts, or why it cannot: the same for the run and the Test panel's preview. */
export function silenceBody(
  config: Resolved<SilenceConfig>,
  vars: Pick<ExprVars, 'alert' | 'execution'>,
  at: { now: Date; idempotencyKey: string; runUrl?: string | undefined },
): SilenceBody | string {
  const matchers = silenceMatchers(config, vars.alert.labels);
  if (typeof matchers === 'string') return matchers;
  const endsAt = new Date(at.now.getTime() + config.durationMinutes * 60_000);
  return {
    matchers,
    startsAt: at.now.toISOString(),
    endsAt: endsAt.toISOString(),
    createdBy: config.createdBy,
    comment: `${config.comment}\nSalve run: ${at.runUrl ?? vars.execution.id} ${stepMarker(at.idempotencyKey)}`,
  };
}

/**
 * A matcher in Alertmanager's filter syntax (`name="value"`), the value escaped as its parser
 * reads a quoted string, so a quote or backslash in an alert's label stays part of the value.
 */
export function filterOf(matcher: SilenceMatcher): string {
  const value = matcher.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${matcher.name}="${value}"`;
}
