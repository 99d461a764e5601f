import { serviceEndpoint } from '../../fields.js';
import { defineNodeModule } from '../../node-module.js';
import { jiraNotify } from './definition.js';
import { executeJiraNotify } from './execute.js';
import { issueRequest, stepLabel } from './issue.js';

/** `notify.jira`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: jiraNotify,
  execute: executeJiraNotify,
  preview: (config, { vars }) => ({
    to: `POST ${serviceEndpoint(config.url, `/rest/api/${config.apiVersion}/issue`).href}`,
    body: issueRequest(config, vars, { label: stepLabel(`${vars.execution.id}:preview`) }),
  }),
});
