import { defineNodeModule } from '../../node-module.js';
import { serviceEndpoint } from '../../fields.js';
import { alertmanagerSilence } from './definition.js';
import { executeSilence, expireWhenRunEnds } from './execute.js';
import { silenceBody } from './matchers.js';

/** `alertmanager.silence`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: alertmanagerSilence,
  execute: executeSilence,
  afterRun: expireWhenRunEnds,
  preview: (config, { vars }) =>
    config.action === 'expire'
      ? { to: `DELETE ${serviceEndpoint(config.url, `/api/v2/silence/${config.silenceId ?? ''}`).href}` }
      : {
          to: `POST ${serviceEndpoint(config.url, '/api/v2/silences').href}`,
          body: silenceBody(config, vars, { now: new Date(), idempotencyKey: `${vars.execution.id}:preview` }),
        },
});
