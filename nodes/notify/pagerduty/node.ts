import { pagerDutyEvent } from './event.js';
import { defineNodeModule } from '../../node-module.js';
import { pagerdutyNotify } from './definition.js';
import { executePagerDutyNotify } from './execute.js';

/** `notify.pagerduty`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: pagerdutyNotify,
  execute: executePagerDutyNotify,
  preview: (config, { vars }) => ({ to: `POST ${new URL('/v2/enqueue', config.baseUrl).href}`, body: pagerDutyEvent(config, vars) }),
});
