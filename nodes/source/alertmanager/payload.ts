import { z } from 'zod';
import { boundedStringMap } from '../limits.js';
import { isRfc3339 } from './time.js';

const timestamp = z
  .string({ error: 'must be an RFC 3339 timestamp string' })
  .refine(isRfc3339, 'must be an RFC 3339 timestamp, e.g. 2026-11-24T09:12:30Z or 2026-11-24T17:12:30.5+08:00');

/**
 * One alert of an Alertmanager webhook. Unknown fields are allowed: Alertmanager adds fields over
 * time and older Salves must keep accepting its deliveries. `fingerprint` is missing in payloads
 * from releases before 0.19.
 */
const AmAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
  labels: boundedStringMap('labels').refine((labels) => typeof labels.alertname === 'string' && labels.alertname !== '', {
    error: 'needs an "alertname" label',
  }),
  annotations: boundedStringMap('annotations').default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** Versions Salve reads: "4" (Alertmanager 0.7 and later), "3" and 0 from older releases. */
const READABLE_VERSIONS = new Set(['4', '3', '0']);

/**
 * The Alertmanager webhook payload: a group of alerts plus group-level fields. Old releases send
 * `version` "3" (or 0) with a numeric `groupKey` and no `truncatedAlerts`; those fields are optional.
 */
export const AmPayloadSchema = z.looseObject(
  {
    version: z
      .union([z.string(), z.number()], { error: 'unsupported Alertmanager webhook version (Salve reads version "4")' })
      .refine((v) => READABLE_VERSIONS.has(String(v)), 'unsupported Alertmanager webhook version (Salve reads version "4")')
      .optional(),
    groupKey: z.union([z.string(), z.number()], { error: 'must be a string' }).optional(),
    /** Alerts Alertmanager left out of this delivery because of `max_alerts` (0.22 and later). */
    truncatedAlerts: z.number({ error: 'must be a number' }).int().nonnegative().optional(),
    receiver: z.string().optional(),
    groupLabels: boundedStringMap('labels').optional(),
    commonLabels: boundedStringMap('labels').optional(),
    commonAnnotations: boundedStringMap('annotations').optional(),
    externalURL: z.string().optional(),
    alerts: z.array(AmAlertSchema, { error: 'must be the list of alerts' }),
  },
  { error: 'must be a JSON object: an Alertmanager webhook payload (version 4)' },
);
export type AmPayload = z.infer<typeof AmPayloadSchema>;
export type AmAlert = z.infer<typeof AmAlertSchema>;
