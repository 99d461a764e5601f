import { z } from 'zod';
import { AlertSchema } from '../../../shared/alert/schema.js';
import { secondsSchema } from '../../fields.js';
import { defineNodeType } from '../../node-type.js';
import { cronProblem, describeNextTicks, isTimeZone } from './cron.js';
import { scheduleSamples } from './samples.js';

/** Labels a schedule puts on its alerts, e.g. `{ "check": "disk" }`. */
const ScheduleLabelsSchema = z
  .record(
    z.string().min(1, 'a label name is empty').max(128, 'label names are at most 128 characters'),
    z.string({ error: 'must be a string' }).max(1024, 'label values are at most 1024 characters'),
    { error: 'must be a map of label names to strings' },
  )
  .refine((labels) => Object.keys(labels).length <= 64, 'at most 64 labels');

export const ScheduleConfigSchema = z.strictObject({
  /**
   * When to run: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first),
   * e.g. `*\/5 * * * *` every five minutes, `0 3 * * 1-5` at 03:00 on weekdays.
   */
  cron: z
    .string({ error: 'must be a cron expression, e.g. "*/5 * * * *"' })
    .trim()
    .min(1, 'a cron expression is required, e.g. "*/5 * * * *"')
    .max(200)
    .superRefine((expression, ctx) => {
      const problem = cronProblem(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** The IANA time zone the expression is read in; default UTC. */
  timezone: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone name, e.g. "UTC", "Europe/Berlin" or "America/New_York"')
    .default('UTC'),
  /** The alert name of each run; default: the flow's name. */
  name: z.string().trim().min(1, 'leave name out to use the flow name').max(200).optional(),
  labels: ScheduleLabelsSchema.default({}),
  /**
   * After a restart (or a stall), the latest tick that was missed still runs if it is at most
   * this late; earlier missed ticks never run. They are recorded as skipped.
   */
  catchUpSeconds: secondsSchema(60, 604_800).default(3600),
});
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

/** Starts the flow on a cron schedule, for periodic checks. */
export const scheduleSource = defineNodeType({
  type: 'source.schedule',
  category: 'source',
  label: 'Schedule',
  defaultId: 'schedule',
  description: 'Starts the flow on a cron schedule (each tick once, also across restarts), for periodic checks.',
  icon: 'schedule',
  configSchema: ScheduleConfigSchema,
  outputSchema: AlertSchema,
  trigger: { kind: 'schedule' },
  outputs: ['out'],
  idempotent: true,
  sideEffects: false,
  expressions: () => [],
  summary: (config) => `${config.cron} · ${config.timezone} · ${describeNextTicks(config.cron, config.timezone, Date.now())}`,
  notes: [
    "Setup, the payload it reads and how its fields map to the alert: [sources.md](sources.md#sourceschedule).",
  ],
  ui: {
    cron: {
      widget: 'text',
      label: 'Cron expression',
      help: 'minute hour day month weekday, e.g. "*/5 * * * *"; a 6th field in front adds seconds. The canvas shows the next runs.',
    },
    timezone: { widget: 'text', label: 'Time zone', help: 'IANA name the expression is read in, e.g. "Europe/Berlin" (daylight saving is followed).' },
    name: { widget: 'text', label: 'Alert name', help: 'The name each run’s alert gets; default: the flow’s name.' },
    labels: { widget: 'keyValue', label: 'Alert labels', help: 'Labels each run’s alert carries, for conditions and templates.' },
    catchUpSeconds: {
      widget: 'number',
      label: 'Catch up (seconds)',
      help: 'After a restart, the latest missed tick still runs if it is at most this late; older ones are skipped.',
    },
  },
  samples: scheduleSamples,
  sampleConfig: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
});
