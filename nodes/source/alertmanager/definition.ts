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
  notes: [
    "Prometheus Alertmanager webhook (payload version 4; 3 and 0 from old releases are read too). Each alert in `alerts[]` becomes one execution; with `\"group\": true` one execution per notification for the whole group (`alert.raw` is the payload).",
    "Normalized fields: `name` from `labels.alertname`; `severity` from `labels.severity` (`critical`/`page` → critical, `warning` → warning, `info` → info, …); `summary` from `annotations.summary`, else `annotations.description`, else the name; `fingerprint` is the alert's own, else a hash of the sorted labels; `startsAt`, `endsAt` in UTC (`endsAt` only once resolved); `links.source` / `runbook` / `dashboard` / `silence` from `generatorURL` / `annotations.runbook_url` / `annotations.dashboard_url` / a silence link on `externalURL`.",
    "Limits: 1000 alerts per delivery, 256 labels per alert, 4 KiB per label or annotation value (422 naming the field otherwise).",
    "Mapping tables, truncatedAlerts and the exact `webhook_configs` to paste: [sources.md](sources.md#sourcealertmanager).",
  ],
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
