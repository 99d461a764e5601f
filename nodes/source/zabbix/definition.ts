import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { AuthConfigSchema } from '../auth.js';
import { hookTrigger, sourceBaseShape, sourceUi } from '../common.js';
import { HmacSecretsSchema, hmacSecretUi, hmacSourceSummary } from '../hmac-schema.js';
import { zabbixSamples } from './samples.js';

/** The headers Salve's Zabbix media type (docs/zabbix/salve-media-type.js) signs its deliveries with. */
export const ZABBIX_SIGNATURE_HEADER = 'X-Salve-Signature';
export const ZABBIX_TIMESTAMP_HEADER = 'X-Salve-Timestamp';

/**
 * The signature Salve's media type sends: `X-Salve-Signature` = hex HMAC-SHA256 of
 * `X-Salve-Timestamp + ":" + body`, the timestamp within ±300 s of Salve's clock.
 */
const ZabbixHmacAuthSchema = z.strictObject({
  type: z.literal('hmac'),
  secret: HmacSecretsSchema,
});

/** `hmac` (Salve's media type), or `bearer`, `basic`, `header`, `none` for a script of your own. */
const ZabbixAuthSchema = z.discriminatedUnion('type', [ZabbixHmacAuthSchema, ...AuthConfigSchema.options], {
  error: (issue) =>
    issue.input === undefined
      ? 'auth is required: use {"type":"hmac","secret":{"secret":"NAME"}} with Salve\'s media type, or {"type":"none"} to accept unsigned deliveries'
      : undefined,
});

export const ZabbixConfigSchema = z.strictObject({ ...sourceBaseShape, auth: ZabbixAuthSchema });
export type ZabbixConfig = z.infer<typeof ZabbixConfigSchema>;

/** Zabbix problems and recoveries, posted by Salve's webhook media type. */
export const zabbixSource = defineNodeType({
  type: 'source.zabbix',
  category: 'source',
  label: 'Zabbix',
  defaultId: 'zabbix',
  description: "Starts the flow for each Zabbix problem that Salve's webhook media type posts to /hooks/<path>.",
  icon: 'zabbix',
  configSchema: ZabbixConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) =>
    hmacSourceSummary({ ...config, auth: config.auth.type === 'hmac' ? { type: 'hmac', timestamped: true } : config.auth }),
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcezabbix).",
  ],
  ui: {
    ...sourceUi,
    'auth.type': {
      widget: 'select',
      label: 'Authentication',
      help: "hmac checks the signature Salve's media type adds (X-Salve-Signature over X-Salve-Timestamp and the body); the others are for a script of your own.",
    },
    'auth.token': { widget: 'secret', label: 'Bearer token', help: 'What your own media type script sends as Authorization: Bearer ….' },
    'auth.secret': { ...hmacSecretUi, help: `The media type's salve_secret parameter. ${hmacSecretUi.help}` },
  },
  samples: zabbixSamples,
  sampleConfig: { path: 'zabbix', auth: { type: 'none' } },
});
