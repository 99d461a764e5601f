import { z } from 'zod';
import { defineNodeType } from '../../node-type.js';
import { sourceBaseShape, sourceSummary, sourceUi } from '../common.js';
import { alertmanagerSamples } from './samples.js';

export const AlertmanagerConfigSchema = z.strictObject({ ...sourceBaseShape });
export type AlertmanagerConfig = z.infer<typeof AlertmanagerConfigSchema>;

/** Prometheus Alertmanager's webhook (`webhook_configs`, payload version 4). */
export const alertmanagerSource = defineNodeType({
  type: 'source.alertmanager',
  version: 1,
  category: 'source',
  label: 'Alertmanager',
  description: 'Starts the flow for each alert Prometheus Alertmanager sends to /hooks/<path>.',
  icon: 'prometheus',
  configSchema: AlertmanagerConfigSchema,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => sourceSummary(config),
  ui: { ...sourceUi },
  samples: alertmanagerSamples,
});
