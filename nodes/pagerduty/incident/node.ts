import { defineNodeModule } from '../../node-module.js';
import { pagerdutyIncident } from './definition.js';
import { executePagerDutyIncident } from './execute.js';
import { incidentIdOf, incidentRequest } from './request.js';

/** `pagerduty.incident`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: pagerdutyIncident,
  execute: executePagerDutyIncident,
  preview: (config, { vars }) => {
    const found = incidentIdOf(config, vars.alert);
    // Without an incident the step sends nothing: the preview says why, as the run would.
    if (!('id' in found)) return { to: `${config.action} (nothing sent)`, body: found.problem };
    const request = incidentRequest(config, found.id, vars, { idempotencyKey: `${vars.execution.id}:preview` });
    return { to: `${request.method} ${request.url.href}`, body: request.body };
  },
});
