import type { ScheduleTrigger } from '../../source-trigger.js';
import { CronSchedule } from './cron.js';
import type { ScheduleConfig } from './definition.js';
import { scheduleAlert, tickPayload } from './ingest.js';

/** How `source.schedule` starts runs: its cron expression read in its time zone, one run per tick. */
export const scheduleTrigger: ScheduleTrigger<ScheduleConfig> = {
  kind: 'schedule',
  compile: (config) => new CronSchedule(config.cron, config.timezone),
  catchUpMs: (config) => config.catchUpSeconds * 1000,
  tick(config, at) {
    const payload = tickPayload(config, at);
    return { payload, alert: scheduleAlert(config, payload) };
  },
};
