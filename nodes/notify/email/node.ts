import { defineNodeModule } from '../../node-module.js';
import { emailNotify } from './definition.js';
import { executeEmailNotify } from './execute.js';

/** `notify.email`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: emailNotify, execute: executeEmailNotify });
