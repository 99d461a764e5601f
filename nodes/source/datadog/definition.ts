import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { hookTrigger, sourceBaseShape, sourceSummary, sourceUi } from '../common.js';
import { datadogSamples } from './samples.js';

export const DatadogConfigSchema = z.strictObject({ ...sourceBaseShape });
export type DatadogConfig = z.infer<typeof DatadogConfigSchema>;

/** Datadog's Webhooks integration (`@webhook-<name>` in a monitor's message). */
export const datadogSource = defineNodeType({
  type: 'source.datadog',
  category: 'source',
  label: 'Datadog',
  defaultId: 'datadog',
  description: 'Starts the flow for Datadog monitor notifications sent by a Datadog webhook to /hooks/<path>.',
  icon: 'datadog',
  configSchema: DatadogConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => sourceSummary(config),
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcedatadog).",
  ],
  ui: {
    ...sourceUi,
    'auth.type': { widget: 'select', label: 'Authentication', help: 'Datadog signs nothing: send a token as a custom header of the webhook, from a hidden custom variable.' },
    'auth.token': { widget: 'secret', label: 'Bearer token', help: 'Custom headers of the webhook: {"Authorization": "Bearer $SALVE_TOKEN"}.' },
  },
  samples: datadogSamples,
  sampleConfig: { path: 'datadog', auth: { type: 'none' } },
});
