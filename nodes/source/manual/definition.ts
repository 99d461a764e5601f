import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { manualSamples } from './samples.js';

export const ManualConfigSchema = z.strictObject({
  /** The alert name of a run whose payload names none; default: the flow's name. */
  name: z.string().trim().min(1, 'leave name out to use the flow name').max(200).optional(),
  /** What the editor's Run now dialog starts with; default: the type's sample payload. */
  samplePayload: z.record(z.string(), z.json(), { error: 'must be a JSON object' }).optional(),
});
export type ManualConfig = z.infer<typeof ManualConfigSchema>;

/** Run by a person, from the editor's Run now or `POST /api/flows/:id/run`, with a JSON payload. */
export const manualSource = defineNodeType({
  type: 'source.manual',
  category: 'source',
  label: 'Run by hand',
  defaultId: 'by_hand',
  description: 'Starts the flow when a person runs it (Run now in the editor, or POST /api/flows/:id/run) with a JSON payload.',
  icon: 'manual',
  configSchema: ManualConfigSchema,
  outputSchema: AlertSchema,
  trigger: { kind: 'manual', startPayload: (config) => config.samplePayload },
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => `Run now, or POST /api/flows/<id>/run${config.name ? ` · alert “${config.name}”` : ''}`,
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourcemanual).",
  ],
  ui: {
    name: { widget: 'text', label: 'Alert name', help: 'Used when the payload has no "name"; default: the flow’s name.' },
    samplePayload: { widget: 'json', label: 'Payload to start with', help: 'What the Run now dialog is filled with, e.g. {"labels": {"instance": "db1"}}.' },
  },
  samples: manualSamples,
  sampleConfig: {},
});
