import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { AuthConfigSchema, describeAuth } from '../auth.js';
import { hookTrigger, sourceBaseShape, sourceUi, type SourceOn } from '../common.js';
import { HmacSecretsSchema, hmacSecretUi } from '../hmac-schema.js';
import { pagerdutySamples } from './samples.js';

/**
 * PagerDuty's own verification: `X-PagerDuty-Signature` carries `v1=<hex HMAC-SHA256 of the raw
 * body>` per active subscription secret. `secret` is one reference, or a list of two while the
 * secret is being replaced (either is accepted), as for the other HMAC sources.
 */
const PagerDutySignatureAuthSchema = z.strictObject({
  type: z.literal('signature'),
  secret: HmacSecretsSchema,
});

/** The signature (recommended), or one of the shared schemes sent as a custom header of the subscription. */
const PagerDutyAuthSchema = z.discriminatedUnion('type', [PagerDutySignatureAuthSchema, ...AuthConfigSchema.options], {
  error: (issue) =>
    issue.input === undefined
      ? 'auth is required: use {"type":"signature","secret":{"secret":"NAME"}} with the subscription\'s signing secret'
      : undefined,
});
export type PagerDutyAuth = z.infer<typeof PagerDutyAuthSchema>;

/** A webhook v3 incident event type, e.g. `incident.triggered` or `incident.responder.added`. */
const PagerDutyEventTypeSchema = z
  .string()
  .regex(/^incident(\.[a-z][a-z0-9_]*)+$/, 'must be a PagerDuty incident event type, e.g. incident.triggered');

/** Event types whose incident is always still open: they give `firing` alerts. */
export const FIRING_EVENT_TYPES: readonly string[] = [
  'incident.triggered',
  'incident.reopened',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.escalated',
];

/** Which event types start a flow when `events` is not written: the ones that open (or close) an incident. */
function defaultPagerDutyEvents(on: SourceOn): string[] {
  const firing = ['incident.triggered', 'incident.reopened'];
  if (on === 'firing') return firing;
  if (on === 'resolved') return ['incident.resolved'];
  return [...firing, 'incident.resolved'];
}

export const PagerDutyConfigSchema = z
  .strictObject({
    ...sourceBaseShape,
    auth: PagerDutyAuthSchema,
    /**
     * Event types that start the flow (their alert must also pass `on`). Default: from `on`
     * (`firing`: incident.triggered + incident.reopened; `resolved`: incident.resolved; `both`: all three).
     */
    events: z.array(PagerDutyEventTypeSchema).min(1, 'list at least one event type, or leave events out').max(50).optional(),
  })
  .superRefine((config, ctx) => {
    config.events?.forEach((type, i) => {
      const status = type === 'incident.resolved' ? 'resolved' : FIRING_EVENT_TYPES.includes(type) ? 'firing' : undefined;
      if (status && config.on !== 'both' && config.on !== status) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', i],
          message: `${type} gives a ${status} alert, which "on": "${config.on}" never starts; set "on" to "${status}" or "both"`,
        });
      }
    });
  });
export type PagerDutyConfig = z.infer<typeof PagerDutyConfigSchema>;

/** The event types that start a flow with this config. */
export function startingEvents(config: Pick<PagerDutyConfig, 'events' | 'on'>): string[] {
  return config.events ?? defaultPagerDutyEvents(config.on);
}

function describePagerDutyAuth(auth: PagerDutyAuth): string {
  if (auth.type === 'signature') return Array.isArray(auth.secret) && auth.secret.length > 1 ? 'signature (2 secrets)' : 'signature';
  return describeAuth(auth);
}

/** PagerDuty webhooks v3 (a webhook subscription on a service, team or the account). */
export const pagerdutySource = defineNodeType({
  type: 'source.pagerduty',
  category: 'source',
  label: 'PagerDuty',
  defaultId: 'pagerduty',
  description: 'Starts the flow for PagerDuty incidents (webhooks v3) posted to /hooks/<path>, verified by their signature.',
  icon: 'pagerduty',
  configSchema: PagerDutyConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => `/hooks/${config.path} · ${describePagerDutyAuth(config.auth)} · ${startingEvents(config).join(', ')}`,
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcepagerduty).",
  ],
  ui: {
    ...sourceUi,
    'auth.type': { widget: 'select', label: 'Authentication', help: '"signature" checks X-PagerDuty-Signature with the subscription\'s signing secret.' },
    'auth.token': { widget: 'secret', label: 'Bearer token', help: 'Sent as a custom header of the subscription: Authorization: Bearer <token>.' },
    'auth.secret': {
      ...hmacSecretUi,
      label: 'Signing secret',
      help: 'The secret PagerDuty shows once for the subscription: {"secret":"NAME"}; while replacing it, a list of two: [{"secret":"NEW"},{"secret":"OLD"}].',
    },
    events: { widget: 'list', label: 'Start on events', help: 'Optional: event types, e.g. incident.triggered; default from "Start runs for".' },
  },
  samples: pagerdutySamples,
  sampleConfig: { path: 'pagerduty', auth: { type: 'none' } },
});
