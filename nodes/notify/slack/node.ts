import { defineNodeModule } from '../../node-module.js';
import { slackNotify } from './definition.js';
import { executeSlackNotify } from './execute.js';

/** `notify.slack`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: slackNotify, execute: executeSlackNotify });
