import { defineNodeModule } from '../../node-module.js';
import { callFlow } from './definition.js';
import { executeCallFlow } from './execute.js';

/** `flow.call`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: callFlow, execute: executeCallFlow });
