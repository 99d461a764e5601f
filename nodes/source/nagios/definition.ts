import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { defineNodeType } from '../../node-type.js';
import { hookTrigger, sourceBaseShape, sourceSummary, sourceUi } from '../common.js';
import { nagiosSamples } from './samples.js';

export const NagiosConfigSchema = z.strictObject({
  ...sourceBaseShape,
  /**
   * `true` (default): SOFT states start nothing (they are recorded); a check must be confirmed
   * (HARD) before a flow runs. `false`: SOFT state changes start flows too.
   */
  hardOnly: z.boolean().default(true),
});
export type NagiosConfig = z.infer<typeof NagiosConfigSchema>;

/** Nagios Core and Icinga notifications (docs/nagios/salve-notify) and Icinga 2 event-stream objects. */
export const nagiosSource = defineNodeType({
  type: 'source.nagios',
  category: 'source',
  label: 'Nagios / Icinga',
  defaultId: 'nagios',
  description: 'Starts the flow for each host or service problem Nagios or Icinga posts to /hooks/<path> with the salve-notify command.',
  icon: 'nagios',
  configSchema: NagiosConfigSchema,
  outputSchema: AlertSchema,
  trigger: hookTrigger,
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => `${sourceSummary(config)}${config.hardOnly ? '' : ' · soft states too'}`,
  notes: [
    "Nagios Core / Icinga notifications posted by [`docs/nagios/salve-notify`](nagios/salve-notify), and Icinga 2 event-stream objects. With `hardOnly` (the default) SOFT states start nothing. PROBLEM and RECOVERY start flows; acknowledgements, flapping and downtime are recorded only. Setup and mapping: [sources.md](sources.md#sourcenagios).",
  ],
  ui: {
    ...sourceUi,
    'auth.token': { widget: 'secret', label: 'Bearer token', help: 'salve-notify sends it from its token file as Authorization: Bearer.' },
    hardOnly: {
      widget: 'boolean',
      label: 'Hard states only',
      help: 'On (default): SOFT states are recorded but start nothing. Off: SOFT state changes start runs too.',
    },
  },
  samples: nagiosSamples,
  sampleConfig: { path: 'nagios', auth: { type: 'none' } },
});
