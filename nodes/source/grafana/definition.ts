import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { HeaderNameSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { AuthConfigSchema } from '../auth.js';
import { hookTrigger, sourceBaseShape, sourceUi } from '../common.js';
import { HmacSecretsSchema, hmacSecretUi, hmacSourceSummary } from '../hmac-schema.js';
import { grafanaSamples } from './samples.js';

/** Grafana's default signature header (contact point → Optional webhook settings → HMAC signature). */
const GRAFANA_SIGNATURE_HEADER = 'X-Grafana-Alerting-Signature';

/**
 * Grafana's own HMAC signing: lower-case hex HMAC-SHA256 of the raw body in `header`, or of
 * `timestamp + ":" + body` when Grafana is told to send a timestamp header (then also checked
 * to be within ±300 s of Salve's clock).
 */
const GrafanaHmacAuthSchema = z.strictObject({
  type: z.literal('hmac'),
  secret: HmacSecretsSchema,
  /** Where Grafana puts the signature ("Header" in the contact point). */
  header: HeaderNameSchema.default(GRAFANA_SIGNATURE_HEADER),
  /** Grafana's "Timestamp header" (no default there): set both or neither. */
  timestampHeader: HeaderNameSchema.optional(),
});

/** Grafana's `hmac` (listed first: the editor offers it first), or `bearer`, `basic`, `header`, `none` as every source. */
const GrafanaAuthSchema = z.discriminatedUnion('type', [GrafanaHmacAuthSchema, ...AuthConfigSchema.options], {
  error: (issue) =>
    issue.input === undefined
      ? 'auth is required: use {"type":"hmac","secret":{"secret":"NAME"}}, or {"type":"none"} to accept unsigned deliveries'
      : undefined,
});

export const GrafanaConfigSchema = z.strictObject({ ...sourceBaseShape, auth: GrafanaAuthSchema });
export type GrafanaConfig = z.infer<typeof GrafanaConfigSchema>;

/** Grafana unified alerting's webhook contact point (payload version 1). */
export const grafanaSource = defineNodeType({
  type: 'source.grafana',
  category: 'source',
  label: 'Grafana',
  defaultId: 'grafana',
  description: 'Starts the flow for each alert a Grafana webhook contact point sends to /hooks/<path>.',
  icon: 'grafana',
  configSchema: GrafanaConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) =>
    hmacSourceSummary({
      ...config,
      auth: config.auth.type === 'hmac' ? { type: 'hmac', timestamped: config.auth.timestampHeader !== undefined } : config.auth,
    }),
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcegrafana).",
  ],
  ui: {
    ...sourceUi,
    'auth.type': { widget: 'select', label: 'Authentication', help: 'hmac checks the signature Grafana 12+ adds (recommended); bearer/basic check the credentials it sends; none accepts anyone.' },
    'auth.token': { widget: 'secret', label: 'Bearer token', help: 'The contact point\'s "Authorization Header" credentials (scheme Bearer).' },
    'auth.secret': hmacSecretUi,
    'auth.header': { widget: 'text', label: 'Signature header', help: 'The contact point\'s HMAC "Header"; default X-Grafana-Alerting-Signature.' },
    'auth.timestampHeader': {
      widget: 'text',
      label: 'Timestamp header',
      help: 'The contact point\'s HMAC "Timestamp Header", e.g. X-Grafana-Alerting-Timestamp. Set it in both places: it refuses replays older than 5 minutes.',
    },
  },
  samples: grafanaSamples,
  sampleConfig: { path: 'grafana', auth: { type: 'none' } },
});
