import { defineNodeModule } from '../../node-module.js';
import { serviceEndpoint } from '../../fields.js';
import { annotationBody } from './annotation.js';
import { grafanaAnnotate } from './definition.js';
import { executeAnnotate } from './execute.js';

/** `grafana.annotate`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: grafanaAnnotate,
  execute: executeAnnotate,
  preview: (config, { vars }) => {
    const built = annotationBody(config, vars, { now: new Date(), idempotencyKey: `${vars.execution.id}:preview` });
    return { to: `POST ${serviceEndpoint(config.url, '/api/annotations').href}`, body: typeof built === 'string' ? built : built.body };
  },
});
