import { z } from 'zod';

/**
 * The normalized alert: what every source turns a delivery into, and what flows see as `alert`.
 * Later issues add more sources; they all map into this one shape.
 */
const AlertStatusSchema = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

export const SeveritySchema = z.enum(['critical', 'high', 'warning', 'info', 'unknown']);
export type Severity = z.infer<typeof SeveritySchema>;

const AlertLinksSchema = z.object({
  source: z.string().optional(),
  dashboard: z.string().optional(),
  runbook: z.string().optional(),
  silence: z.string().optional(),
});

export const AlertSchema = z.object({
  /** Source node type that produced it, e.g. `alertmanager`, `webhook`. */
  source: z.string(),
  status: AlertStatusSchema,
  name: z.string(),
  severity: SeveritySchema,
  summary: z.string(),
  /** Longer text for people (may be empty). */
  description: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** RFC 3339 timestamps; `endsAt` is empty while an alert fires with no known end. */
  startsAt: z.string(),
  endsAt: z.string(),
  /** Identity of the alert across deliveries (source's own id, else hash of sorted labels). */
  fingerprint: z.string(),
  /**
   * Identity of this notification: the same alert delivered again (re-sent group, HA pair,
   * redelivery) has the same key and does not start a second run. Usually derived from
   * fingerprint + startsAt + status (`defaultDedupKey`); a source with its own delivery identity
   * (PagerDuty's event id, Datadog's alert cycle key + transition) uses that.
   */
  dedupKey: z.string(),
  links: AlertLinksSchema,
  /** The source's own item this alert came from (one entry of a group), for fields Salve does not map. */
  raw: z.unknown(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** The usual notification identity: the same alert in the same state since the same time. */
export function defaultDedupKey(alert: Pick<Alert, 'source' | 'fingerprint' | 'startsAt' | 'status'>): string {
  return JSON.stringify([alert.source, alert.fingerprint, alert.startsAt, alert.status]);
}

/** Maps common severity words used in labels to Salve's five severities. */
export function normalizeSeverity(value: string | undefined): Severity {
  switch ((value ?? '').trim().toLowerCase()) {
    case 'critical':
    case 'crit':
    case 'page':
    case 'disaster':
    case 'p1':
    case 'fatal':
    case 'emergency':
      return 'critical';
    case 'high':
    case 'error':
    case 'major':
    case 'p2':
      return 'high';
    case 'warning':
    case 'warn':
    case 'average':
    case 'minor':
    case 'p3':
      return 'warning';
    case 'info':
    case 'information':
    case 'informational':
    case 'low':
    case 'notice':
    case 'p4':
    case 'p5':
      return 'info';
    default:
      return 'unknown';
  }
}
