import { z } from 'zod';
import { defineNode } from '../../definition.js';

export const DelayConfigSchema = z.strictObject({
  seconds: z.number().int().min(1).max(604800, 'at most 7 days'),
});

function human(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A durable wait: survives restarts and holds no worker. */
export const delayAction = defineNode({
  type: 'action.delay',
  version: 1,
  category: 'action',
  label: 'Wait',
  description: 'Waits before continuing (for example to see whether a clean-up worked); survives restarts.',
  icon: 'clock',
  configSchema: DelayConfigSchema,
  outputs: ['done'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (c) => `wait ${human(c.seconds)}`,
  ui: { seconds: { widget: 'number' } },
});
