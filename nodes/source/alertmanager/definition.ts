import { z } from 'zod';
import { defineNode } from '../../definition.js';
import { webhookSourceFields } from '../auth.js';

export const AlertmanagerConfigSchema = z.strictObject({ ...webhookSourceFields });

/** Prometheus Alertmanager webhook (v4): one execution per alert in the group. */
export const alertmanagerSource = defineNode({
  type: 'source.alertmanager',
  version: 1,
  category: 'source',
  label: 'Alertmanager',
  description: 'Receives Prometheus Alertmanager webhooks; each alert in a group starts its own execution.',
  icon: 'prometheus',
  configSchema: AlertmanagerConfigSchema,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (c) => `/hooks/${c.path} · ${c.auth.type} · on ${c.on}`,
  ui: { path: { widget: 'text' }, auth: { widget: 'secret' }, on: { widget: 'select' } },
});
