import { z } from 'zod';
import { secondsSchema } from '../../fields.js';
import { formatDuration } from '../../format.js';
import { defineNodeType } from '../../node-type.js';

export const DelayActionConfigSchema = z.strictObject({
  /** How long to wait: 1 second to 7 days. */
  seconds: secondsSchema(1, 604_800),
});

/** What an `action.delay` step records: how long it waited. */
const DelayOutputSchema = z.object({ waitedSeconds: z.number() });

/** Waits, e.g. to give a restarted service time before checking again. */
export const delayAction = defineNodeType({
  type: 'action.delay',
  category: 'action',
  label: 'Wait',
  defaultId: 'wait',
  description: 'Waits for a set time (durably, across restarts), then continues on "done".',
  icon: 'clock',
  configSchema: DelayActionConfigSchema,
  outputSchema: DelayOutputSchema,
  outputs: ['done'],
  idempotent: true,
  // Waiting changes nothing outside, so simulation passes straight through it.
  sideEffects: false,
  onResolvedDefault: 'continue',
  expressions: () => [],
  summary: (config) => `wait ${formatDuration(config.seconds, 's')}`,
  commandLine: (config) => `wait ${formatDuration(config.seconds, 's')}`,
  portHelp: {"done": "the wait is over"},
  notes: [
    "A durable wait: it is a database row, survives restarts, holds no worker, and counts against the execution deadline.",
    "**When the alert resolves** while it waits, the node's `onResolved` applies: `continue` (the default) waits on; `cancel` ends the run.",
  ],
  ui: { seconds: { widget: 'number', label: 'Wait (seconds)', help: 'Durable: the wait survives restarts and holds no worker.' } },
});
