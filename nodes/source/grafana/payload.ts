import { z } from 'zod';
import { boundedStringMap } from '../limits.js';

/**
 * One alert of a Grafana webhook delivery. Unknown fields are allowed: Grafana adds fields over
 * time (values, imageURL, orgId…) and older Salves must keep accepting its deliveries.
 */
const GrafanaAlertSchema = z.looseObject({
  /** Per-alert state; wins over the group's `state`. */
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }).optional(),
  labels: boundedStringMap('labels'),
  annotations: boundedStringMap('annotations').default({}),
  startsAt: z.string({ error: 'must be an RFC 3339 timestamp string' }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
});

/** The Grafana unified-alerting webhook payload, version "1": an Alertmanager-like group. */
export const GrafanaPayloadSchema = z.looseObject(
  {
    version: z.literal('1', { error: 'unsupported Grafana webhook version (Salve reads version "1", Grafana 9 and later)' }).optional(),
    /** Group state: `alerting` or `ok` (older or legacy values exist; each alert's `status` decides first). */
    state: z.string().optional(),
    status: z.string().optional(),
    title: z.string().optional(),
    truncatedAlerts: z.number({ error: 'must be a number' }).int().min(0).optional(),
    alerts: z.array(GrafanaAlertSchema, { error: 'must be the list of alerts' }),
  },
  { error: 'must be a JSON object: a Grafana webhook contact point payload (version 1)' },
);
export type GrafanaPayload = z.infer<typeof GrafanaPayloadSchema>;
export type GrafanaAlert = z.infer<typeof GrafanaAlertSchema>;
