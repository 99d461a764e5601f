import { z } from 'zod';

/** Nagios macros are text; senders that build their own JSON may write numbers. */
const macro = z.union([z.string(), z.number()], { error: 'must be a string' }).transform(String);

/**
 * A notification as `docs/nagios/salve-notify` posts it: the standard Nagios macros (the same keys
 * as the widely used `notify-*` curl command templates, plus problem ids and times). For a host
 * notification `service_description` is empty and `state`, `state_type`, `plugin_output` are the
 * host's. Unknown fields are kept in `raw`.
 */
export const NagiosNotificationSchema = z.looseObject({
  host_name: z.string({ error: 'must be the host name ($HOSTNAME$)' }).trim().min(1, 'must be the host name ($HOSTNAME$), not empty'),
  service_description: z.string({ error: 'must be a string ($SERVICEDESC$)' }).optional(),
  notification_type: z.string({ error: 'must be a string ($NOTIFICATIONTYPE$)' }).optional(),
  state: macro.optional(),
  state_type: macro.optional(),
  host_state: macro.optional(),
  host_state_type: macro.optional(),
  host_address: z.string({ error: 'must be a string ($HOSTADDRESS$)' }).optional(),
  plugin_output: z.string({ error: 'must be a string' }).optional(),
  long_plugin_output: z.string({ error: 'must be a string' }).optional(),
  /** $TIMET$: when the notification was sent, epoch seconds. */
  timestamp: macro.optional(),
  /** $LASTSERVICESTATECHANGE$ / $LASTHOSTSTATECHANGE$: since when the current state holds. */
  last_state_change: macro.optional(),
  /** $SERVICEPROBLEMID$ / $HOSTPROBLEMID$: the problem episode (0 once recovered). */
  problem_id: macro.optional(),
  /** $LASTSERVICEPROBLEMID$ / $LASTHOSTPROBLEMID$: the episode a recovery ends. */
  last_problem_id: macro.optional(),
  current_attempt: macro.optional(),
  max_attempts: macro.optional(),
  duration: macro.optional(),
  notification_number: macro.optional(),
  acknowledgement_author: z.string({ error: 'must be a string' }).optional(),
  acknowledgement_comment: z.string({ error: 'must be a string' }).optional(),
  contact_name: z.string({ error: 'must be a string' }).optional(),
});
export type NagiosNotification = z.infer<typeof NagiosNotificationSchema>;

/** The Icinga 2 event-stream types that describe a host's or service's state. */
const ICINGA_EVENT_TYPES = ['StateChange', 'AcknowledgementSet', 'AcknowledgementCleared', 'Flapping'] as const;

/**
 * One object of the Icinga 2 event stream (`/v1/events`), as a forwarder posts it. Only the types
 * that carry `host`, `state` and `state_type` are read.
 */
export const IcingaEventSchema = z.looseObject({
  type: z.enum(ICINGA_EVENT_TYPES, {
    error: (issue) =>
      `Icinga 2 event type ${JSON.stringify(issue.input)} is not read: subscribe to StateChange (and AcknowledgementSet, AcknowledgementCleared, Flapping to record them)`,
  }),
  host: z.string({ error: 'must be the host name' }).min(1, 'must be the host name, not empty'),
  service: z.string({ error: 'must be the service name' }).optional(),
  state: z.number({ error: 'must be the state number (host 0 UP, 1 DOWN; service 0 OK … 3 UNKNOWN)' }).int('must be a whole number').min(0).max(3),
  state_type: z.number({ error: 'must be 0 (SOFT) or 1 (HARD)' }).int().min(0).max(1).optional(),
  timestamp: z.number({ error: 'must be the event time in epoch seconds' }).positive(),
  check_result: z.looseObject({ output: z.string().optional() }, { error: 'must be a check result object' }).optional(),
  downtime_depth: z.number({ error: 'must be a number' }).optional(),
  acknowledgement: z.union([z.boolean(), z.number()], { error: 'must be true or false' }).optional(),
  author: z.string({ error: 'must be a string' }).optional(),
  comment: z.string({ error: 'must be a string' }).optional(),
  is_flapping: z.boolean({ error: 'must be true or false' }).optional(),
});
export type IcingaEvent = z.infer<typeof IcingaEventSchema>;
