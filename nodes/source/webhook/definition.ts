import { z } from 'zod';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { defineNode } from '../../definition.js';
import { webhookSourceFields } from '../auth.js';

const cel = z.string().min(1, 'expression is required');

export const WebhookConfigSchema = z.strictObject({
  ...webhookSourceFields,
  /** CEL over `event` (the JSON body, or one element when the body is a list). */
  mapping: z.strictObject({
    name: cel,
    severity: cel.optional(),
    status: cel.optional(),
    fingerprint: cel.optional(),
    summary: cel.optional(),
    startsAt: cel.optional(),
    labels: cel.optional(),
  }),
});

/** Any JSON webhook; CEL mappings say where the alert's name, severity, status… are. */
export const webhookSource = defineNode({
  type: 'source.webhook',
  version: 1,
  category: 'source',
  label: 'Webhook',
  description: 'Receives any JSON webhook and maps it to an alert with CEL expressions over `event`.',
  icon: 'webhook',
  configSchema: WebhookConfigSchema,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: (c) =>
    Object.entries(c.mapping)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([field, source]): ExpressionRef => ({ path: ['mapping', field], kind: 'cel', source })),
  summary: (c) => `/hooks/${c.path} · name: ${c.mapping.name}`,
  ui: { path: { widget: 'text' }, auth: { widget: 'secret' }, on: { widget: 'select' } },
});
