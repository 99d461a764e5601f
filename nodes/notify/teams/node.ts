import { defineNodeModule } from '../../node-module.js';
import { teamsNotify } from './definition.js';
import { executeTeamsNotify } from './execute.js';
import { teamsMessage } from './message.js';

/** `notify.teams`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({
  definition: teamsNotify,
  execute: executeTeamsNotify,
  // The workflow URL is a secret (never resolved in a simulation), so the preview does not name it.
  preview: (config, { vars }) => ({ to: 'POST to the Teams workflow URL (a secret)', body: teamsMessage(config, vars) }),
});
