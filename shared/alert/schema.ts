import { z } from 'zod';

/**
 * The normalized alert: what every source turns a delivery into, and what flows see as `alert`.
 * Later issues add more sources; they all map into this one shape.
 */
export const AlertStatusSchema = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

export const SeveritySchema = z.enum(['critical', 'high', 'warning', 'info', 'unknown']);
export type Severity = z.infer<typeof SeveritySchema>;

export const AlertLinksSchema = z.object({
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
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** RFC 3339 timestamps; `endsAt` is empty while an alert fires with no known end. */
  startsAt: z.string(),
  endsAt: z.string(),
  /** Identity of the alert across deliveries (source's own id, else hash of sorted labels). */
  fingerprint: z.string(),
  links: AlertLinksSchema,
});
export type Alert = z.infer<typeof AlertSchema>;

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
