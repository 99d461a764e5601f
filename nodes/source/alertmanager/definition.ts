import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { hookTrigger, sourceBaseShape, sourceSummary, sourceUi } from '../common.js';
import { alertmanagerSamples } from './samples.js';

export const AlertmanagerConfigSchema = z.strictObject({
  ...sourceBaseShape,
  /**
   * `false` (default): one run per alert of the group. `true`: one run per delivery for the whole
   * group (`alert.labels` = commonLabels, `alert.raw` = the payload).
   */
  group: z.boolean().default(false),
});
export type AlertmanagerConfig = z.infer<typeof AlertmanagerConfigSchema>;

/** Prometheus Alertmanager's webhook (`webhook_configs`, payload version 4; 3 from old releases). */
export const alertmanagerSource = defineNodeType({
  type: 'source.alertmanager',
  category: 'source',
  label: 'Alertmanager',
  defaultId: 'alertmanager',
  description: 'Starts the flow for each alert Prometheus Alertmanager sends to /hooks/<path>, or once per group notification.',
  icon: 'prometheus',
  configSchema: AlertmanagerConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => `${sourceSummary(config)}${config.group ? ' · per group' : ''}`,
  ui: {
    ...sourceUi,
    group: {
      widget: 'boolean',
      label: 'One run per group',
      help: 'Off (default): one run per alert. On: one run per notification for the whole group; alert.raw holds the payload.',
    },
  },
  samples: alertmanagerSamples,
  sampleConfig: { path: 'infra', auth: { type: 'none' } },
});
