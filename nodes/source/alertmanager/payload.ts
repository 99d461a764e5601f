import { z } from 'zod';
import { boundedStringMap } from '../limits.js';

/**
 * One alert of an Alertmanager webhook (v4). Unknown fields are allowed: Alertmanager adds
 * fields over time and older Salves must keep accepting its deliveries.
 */
export const AmAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
  labels: boundedStringMap('labels').refine((labels) => typeof labels.alertname === 'string' && labels.alertname !== '', {
    error: 'needs an "alertname" label',
  }),
  annotations: boundedStringMap('annotations').default({}),
  startsAt: z.string({ error: 'must be an RFC 3339 timestamp string' }),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** The Alertmanager webhook payload, version 4: a group of alerts plus group-level fields. */
export const AmPayloadSchema = z.looseObject(
  {
    version: z.literal('4', { error: 'unsupported Alertmanager webhook version (Salve reads version "4")' }).optional(),
    // Group-level fields (status, receiver, groupKey, commonLabels…) are not needed: each alert
    // carries its own status and labels.
    externalURL: z.string().optional(),
    alerts: z.array(AmAlertSchema, { error: 'must be the list of alerts' }),
  },
  { error: 'must be a JSON object: an Alertmanager webhook payload (version 4)' },
);
export type AmPayload = z.infer<typeof AmPayloadSchema>;
export type AmAlert = z.infer<typeof AmAlertSchema>;
