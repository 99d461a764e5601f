import { z } from 'zod';
import { SecretRefSchema } from '../../../shared/flow/schema.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { PagerDutyOutputSchema, presentPagerDutyOutput } from './output.js';

/** PagerDuty's Events API v2 host (US service region); EU accounts use https://events.eu.pagerduty.com. */
const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

/** PagerDuty's own severities; `from-alert` maps the alert's (critical → critical, high → error, …). */
const PD_SEVERITIES = ['from-alert', 'critical', 'error', 'warning', 'info'] as const;

export const PagerDutyNotifyConfigSchema = z.strictObject({
  /** The integration's routing key (Events API v2). A secret only: it lets anyone page the service. */
  routingKey: SecretRefSchema,
  /** trigger opens (or updates) an incident; acknowledge and resolve act on the one with the same dedup key. */
  action: z.enum(['trigger', 'acknowledge', 'resolve'], { error: 'must be trigger, acknowledge or resolve' }).default('trigger'),
  /**
   * Template. Default: the alert's fingerprint, so a later step (or flow) that resolves or
   * acknowledges refers to the incident this one opened.
   */
  dedupKey: z.string().trim().min(1).max(1024).optional(),
  /** Template, the incident's title. Default: `<alert name>: <alert summary>`. Cut at 1024 characters. */
  summary: z.string().trim().min(1).max(4096).optional(),
  severity: z.enum(PD_SEVERITIES, { error: `must be one of ${PD_SEVERITIES.join(', ')}` }).default('from-alert'),
  /** Template: the affected system. Default: the alert's `instance` or `host` label, else "salve". */
  source: z.string().trim().min(1).max(1024).optional(),
  component: z.string().max(1024).optional(),
  group: z.string().max(1024).optional(),
  class: z.string().max(1024).optional(),
  /** Templates. Default: the alert's labels and, under `salve`, the flow and execution. */
  customDetails: z.record(z.string(), z.string().max(16_384)).optional(),
  /**
   * Where the Events API is: PagerDuty's US region by default. Written out (no templates), so an
   * alert can never choose where the routing key is sent; it still passes the destination policy.
   */
  baseUrl: z
    .string()
    .trim()
    .refine(
      (u) => /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?\/?$/i.test(u),
      'must be http:// or https:// and a host (and port) only, e.g. https://events.eu.pagerduty.com',
    )
    .default(PAGERDUTY_EVENTS_URL),
  timeoutSeconds: secondsSchema(1, 120).default(10),
});
export type PagerDutyNotifyConfig = z.infer<typeof PagerDutyNotifyConfigSchema>;

/** Opens, acknowledges or resolves a PagerDuty incident through the Events API v2. */
export const pagerdutyNotify = defineNodeType({
  type: 'notify.pagerduty',
  category: 'action',
  label: 'PagerDuty event',
  defaultId: 'page_oncall',
  description: 'Triggers, acknowledges or resolves a PagerDuty incident (Events API v2), keyed by the alert so later steps refer to the same incident.',
  icon: 'pagerduty',
  configSchema: PagerDutyNotifyConfigSchema,
  outputSchema: PagerDutyOutputSchema,
  outputs: ['ok', 'error'],
  // PagerDuty merges events with the same dedup key into one incident: repeating one after a crash is safe.
  idempotent: true,
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) =>
    templatesIn({
      dedupKey: config.dedupKey,
      summary: config.summary,
      source: config.source,
      component: config.component,
      group: config.group,
      class: config.class,
      customDetails: config.customDetails,
    }),
  summary: (config) => `${config.action}${config.baseUrl === PAGERDUTY_EVENTS_URL ? '' : ` · ${config.baseUrl}`}`,
  commandLine: (config) => `PagerDuty ${config.action}${config.summary ? `: ${config.summary}` : ''}`,
  present: presentPagerDutyOutput,
  portHelp: {
    ok: 'PagerDuty accepted the event (202)',
    error: 'PagerDuty refused it (400 with its reasons, 429 rate limited, 5xx), a timeout, a refused destination or a network error',
  },
  notes: [
    'Posts one [Events API v2](https://developer.pagerduty.com/docs/events-api-v2/overview) event to `<baseUrl>/v2/enqueue`. **trigger** opens an incident, or adds to the open one with the same dedup key; **acknowledge** and **resolve** act on that incident and send only the dedup key. The dedup key defaults to the alert’s fingerprint, so a flow that pages on a firing alert and a flow (or a later step) that resolves on its resolved notification refer to the same incident.',
    'A trigger’s payload comes from the alert unless the config says otherwise: summary `<name>: <summary>` (cut at 1024 characters), source the `instance` or `host` label, severity mapped (critical → critical, high → error, warning → warning, info → info, unknown → error), the start time, the alert’s labels as custom details (plus the flow and execution ids), and links: first the run in Salve’s editor when `SALVE_PUBLIC_ORIGIN` is set (also sent as `client_url` with every action), then the alert’s runbook, dashboard and source links when they are http(s).',
    '**Routing key.** A secret only, e.g. `{ "secret": "PD_ROUTING_KEY" }` with `SALVE_SECRET_PD_ROUTING_KEY=<integration key>` and `SALVE_SECRET_PD_ROUTING_KEY_HOSTS=events.pagerduty.com` (or `events.eu.pagerduty.com`): like every secret, it is sent only to the hosts listed there. The host is checked by the destination policy, as for HTTP requests. It is never stored in the step’s output.',
    'PagerDuty merges events with the same dedup key, so repeating the step after a crash does not open a second incident (the step is retried after a crash).',
  ],
  ui: {
    routingKey: { widget: 'secret', label: 'Routing key', help: 'The integration key of an Events API v2 integration on the PagerDuty service.' },
    action: { widget: 'select', help: 'trigger opens or updates the incident; acknowledge and resolve act on the incident with the same dedup key.' },
    dedupKey: {
      widget: 'expression',
      language: 'template',
      label: 'Dedup key',
      help: 'Default: the alert’s fingerprint, so a resolve step refers to the incident the trigger opened.',
    },
    summary: { widget: 'expression', language: 'template', help: 'The incident title. Default: the alert’s name and summary.' },
    severity: { widget: 'select', help: 'from-alert maps critical → critical, high → error, warning → warning, info → info, unknown → error.' },
    source: { widget: 'expression', language: 'template', help: 'The affected system. Default: the alert’s instance or host label.' },
    component: { widget: 'expression', language: 'template' },
    group: { widget: 'expression', language: 'template' },
    class: { widget: 'expression', language: 'template' },
    customDetails: { widget: 'keyValue', label: 'Custom details', help: 'Shown in the incident; values are templates. Default: the alert’s labels.' },
    baseUrl: { widget: 'text', label: 'Events API URL', help: 'https://events.pagerduty.com, or https://events.eu.pagerduty.com for the EU service region.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)' },
  },
});
