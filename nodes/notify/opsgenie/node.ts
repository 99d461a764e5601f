import { defineNodeModule } from '../../node-module.js';
import { opsgenieNotify } from './definition.js';
import { executeOpsgenieNotify } from './execute.js';
import { opsgenieRequest } from './request.js';

/** `notify.opsgenie`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: opsgenieNotify,
  execute: executeOpsgenieNotify,
  // The API key stays a secret reference in a simulation: the body never holds it (it goes in a header).
  preview: (config, { vars }) => {
    const request = opsgenieRequest(config, vars, { idempotencyKey: `${vars.execution.id}:preview` });
    return typeof request === 'string' ? { to: `cannot send: ${request}` } : { to: `POST ${request.url.href}`, body: request.body };
  },
});
