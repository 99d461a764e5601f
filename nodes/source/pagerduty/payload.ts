import { z } from 'zod';

/** An ISO 8601 time as PagerDuty writes it (`2021-06-04T13:35:29.781Z`). */
const Timestamp = z.string({ error: 'must be an ISO 8601 timestamp string' }).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp');

/** A `*_reference` object (service, user, priority, team…): only the parts Salve reads. */
const Reference = z.looseObject({
  id: z.string().optional(),
  summary: z.string().optional(),
  html_url: z.string().optional(),
});

/**
 * The incident in `event.data` of `incident.*` events. Unknown fields are allowed: PagerDuty
 * adds fields over time (created_at, incident_type…) and older captures lack some.
 */
export const PdIncidentSchema = z.looseObject({
  id: z.string({ error: 'must be the incident id' }).min(1, 'must be the incident id'),
  type: z.literal('incident'),
  html_url: z.string().optional(),
  number: z.number().int().optional(),
  status: z.string().optional(),
  title: z.string().optional(),
  incident_key: z.string().nullish(),
  created_at: Timestamp.nullish(),
  reopened_at: Timestamp.nullish(),
  resolved_at: Timestamp.nullish(),
  service: Reference.nullish(),
  urgency: z.string().nullish(),
  priority: Reference.nullish(),
  assignees: z.array(Reference).nullish(),
});
export type PdIncident = z.infer<typeof PdIncidentSchema>;

/** The incident reference that events about something inside an incident carry (notes, responders, status updates). */
export const PdIncidentRefSchema = z.looseObject({
  id: z.string({ error: 'must be the incident id' }).min(1, 'must be the incident id'),
  summary: z.string().optional(),
  html_url: z.string().optional(),
});

/** `event` of a webhook v3 delivery: one event per request. `data` is read per resource type. */
const PdEventSchema = z.looseObject(
  {
  id: z.string({ error: 'must be the event id' }).min(1, 'must be the event id'),
  event_type: z.string({ error: 'must be the event type, e.g. incident.triggered' }).min(1),
  resource_type: z.string().optional(),
  occurred_at: Timestamp,
  agent: Reference.nullish(),
  data: z.unknown(),
}, { error: 'must be the event object of a PagerDuty webhook v3 delivery ({"event": {"event_type": …}})' });
export type PdEvent = z.infer<typeof PdEventSchema>;

export const PdWebhookSchema = z.looseObject(
  { event: PdEventSchema },
  { error: 'must be a JSON object: a PagerDuty webhook v3 delivery ({"event": {…}})' },
);
