import { z } from 'zod';
import { secondsSchema } from '../../fields.js';
import { formatDuration } from '../../format.js';
import { defineNodeType } from '../../node-type.js';

const WaitResolvedConfigSchema = z.strictObject({
  /** How long to wait for the resolution: 10 seconds to 7 days. */
  within: secondsSchema(10, 604_800),
});

/** What a `wait.resolved` step records: when the alert resolved (null on `timeout`) and how long it waited. */
const WaitResolvedOutputSchema = z.object({
  resolvedAt: z.string().nullable(),
  waitedSeconds: z.number(),
});

/**
 * Waits until the alert that started the run resolves: its source delivers the resolved
 * notification (same fingerprint, same flow), or `within` passes.
 */
export const waitResolved = defineNodeType({
  type: 'wait.resolved',
  category: 'action',
  label: 'Wait for resolution',
  defaultId: 'wait_resolved',
  description: 'Waits (durably) until the alert that started the run is resolved by its source, then continues on "resolved"; after "within" seconds without a resolution, on "timeout".',
  icon: 'clock',
  configSchema: WaitResolvedConfigSchema,
  outputSchema: WaitResolvedOutputSchema,
  outputs: ['resolved', 'timeout'],
  idempotent: true,
  // Waiting changes nothing outside. Simulation cannot know when the alert resolves: it assumes "resolved".
  sideEffects: false,
  simulatePort: 'resolved',
  expressions: () => [],
  summary: (config) => `until resolved, at most ${formatDuration(config.within, 's')}`,
  commandLine: (config) => `wait until the alert resolves (at most ${formatDuration(config.within, 's')})`,
  portHelp: {
    resolved: 'the source delivered the resolved notification of this run’s alert (or it had already arrived)',
    timeout: '`within` seconds passed without a resolution',
  },
  notes: [
    'The run’s alert is resolved when a delivery on one of this flow’s sources carries the same fingerprint with status `resolved` (Alertmanager, Grafana and Zabbix send one; a source that never sends resolutions always ends on `timeout`). A resolution that arrived before the step started counts: the step continues at once.',
    'A durable wait: it is a database row, survives restarts, holds no worker, and counts against the execution deadline. Typical use: after a clean-up, wait up to 10 minutes for the alert to clear; on `timeout`, page someone.',
  ],
  ui: {
    within: { widget: 'number', label: 'Give up after (seconds)', help: 'How long to wait for the resolved notification before taking "timeout".' },
  },
});
