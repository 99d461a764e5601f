import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { defineNodeType } from '../../node-type.js';
import { hookTrigger, sourceBaseShape, sourceSummary, sourceUi } from '../common.js';
import { webhookSampleMapping, webhookSamples } from './samples.js';

const cel = (what: string) =>
  z.string({ error: `must be a CEL expression over \`event\` giving ${what}` }).trim().min(1, 'expression is empty').max(4096);

/**
 * How a JSON delivery becomes an alert: each field is a CEL expression over `event` (the JSON
 * body, or one element of it when the body is an array), e.g. `event.alert.title`.
 */
const WebhookMappingSchema = z.strictObject({
  /** The alert name (required). */
  name: cel('the alert name'),
  /** Any severity word (`critical`, `P2`, `warn`…); default `unknown`. */
  severity: cel('a severity word').optional(),
  /** `"firing"` or `"resolved"`; default `"firing"`. */
  status: cel('"firing" or "resolved"').optional(),
  /** Identity across deliveries; default: a hash of the name and the sorted labels. */
  fingerprint: cel('an identifier').optional(),
  /** One line for people; default: the name. */
  summary: cel('a short text').optional(),
  /** A map of strings; default `{}`. */
  labels: cel('a map of strings').optional(),
  /**
   * When the alert started (RFC 3339). Default: when the delivery arrived. Map it to the
   * sender's own timestamp so a re-sent delivery is recognized as the same alert.
   */
  startsAt: cel('an RFC 3339 timestamp').optional(),
  /** Longer text for people; default empty. */
  description: cel('a text').optional(),
  /** When the alert ended (RFC 3339), or `""` while it has no known end; default empty. */
  endsAt: cel('an RFC 3339 timestamp or ""').optional(),
  /**
   * Identity of this notification: deliveries with the same key (and status) start one run.
   * Default: fingerprint + startsAt + status. The status is always part of the key, so a
   * resolve is never taken for a repeat of its firing.
   */
  dedupKey: cel('an identifier').optional(),
  /**
   * When it gives true, the event makes no alert: the delivery is recorded and starts nothing
   * (a sender's test button, heartbeats you do not act on). Default: never.
   */
  skip: cel('true or false').optional(),
});
export type WebhookMapping = z.infer<typeof WebhookMappingSchema>;

const WEBHOOK_MAPPING_FIELDS = [
  'name',
  'severity',
  'status',
  'fingerprint',
  'summary',
  'labels',
  'startsAt',
  'description',
  'endsAt',
  'dedupKey',
  'skip',
] as const;

/** What each mapping expression must give, and what an absent one means (the Help tab and docs/nodes.md show it). */
const MAPPING_HELP: Record<(typeof WEBHOOK_MAPPING_FIELDS)[number], string> = {
  name: 'The alert name: a non-empty string.',
  severity: 'Any severity word (critical, P2, warn…). Default: unknown.',
  status: 'Must give "firing" or "resolved". Default: firing.',
  fingerprint: "The alert's identity across deliveries. Default: a hash of the name and the sorted labels.",
  summary: 'One line for people. Default: the name.',
  labels: 'Must give a map; values become strings. Default: {}.',
  startsAt: "An RFC 3339 timestamp. Default: when the delivery arrived; map it to the sender's timestamp so re-sent deliveries are recognized as duplicates.",
  description: 'Longer text for people. Default: empty.',
  endsAt: 'An RFC 3339 timestamp, or "" while no end is known. Default: empty.',
  dedupKey: 'Deliveries with the same key and status start one run. Default: fingerprint + startsAt + status; when mapped, the key plus the status.',
  skip: 'When it gives true the event makes no alert (recorded, nothing runs). Like a condition, it must give true or false (or a value of event, checked when it runs). Default: false.',
};

export const WebhookConfigSchema = z.strictObject({
  ...sourceBaseShape,
  mapping: WebhookMappingSchema,
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

/** Any system that can POST JSON: fields are picked out of the body with CEL. */
export const webhookSource = defineNodeType({
  type: 'source.webhook',
  category: 'source',
  label: 'Webhook',
  defaultId: 'webhook',
  description: 'Starts the flow for JSON posted to /hooks/<path>, turned into an alert by the field mapping.',
  icon: 'webhook',
  configSchema: WebhookConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: (config): ExpressionRef[] =>
    WEBHOOK_MAPPING_FIELDS.flatMap((field) => {
      const source = config.mapping[field];
      if (source === undefined) return [];
      // `skip` decides whether the event makes an alert: a condition.
      return [{ path: ['mapping', field], kind: 'cel' as const, source, ...(field === 'skip' ? { returns: 'bool' as const } : {}) }];
    }),
  summary: (config) => `${sourceSummary(config)} · name = ${config.mapping.name}`,
  notes: [
    "Any JSON. A JSON list is one alert per element. `mapping` holds CEL expressions over `event`; ready mappings for Azure Monitor, Uptime Kuma and Kubernetes events are in [sources.md](sources.md#sourcewebhook).",
    "```json\n{ \"id\": \"hook\", \"type\": \"source.webhook\", \"config\": {\n    \"path\": \"uptime\", \"auth\": { \"type\": \"header\", \"name\": \"X-Api-Key\", \"value\": { \"secret\": \"UPTIME_KEY\" } },\n    \"mapping\": { \"name\": \"event.monitor.name\", \"status\": \"event.up ? \\\"resolved\\\" : \\\"firing\\\"\",\n                 \"fingerprint\": \"string(event.monitor.id)\", \"labels\": \"{\\\"url\\\": event.monitor.url}\" } } }\n```",
  ],
  ui: {
    ...sourceUi,
    ...Object.fromEntries(WEBHOOK_MAPPING_FIELDS.map((f) => [`mapping.${f}`, { widget: 'expression', language: 'cel', help: MAPPING_HELP[f] } as const])),
  },
  samples: webhookSamples,
  sampleConfig: { path: 'generic', auth: { type: 'none' }, mapping: webhookSampleMapping },
});
