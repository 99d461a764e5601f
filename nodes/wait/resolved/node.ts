import { defineNodeModule } from '../../node-module.js';
import { waitResolved } from './definition.js';
import { executeWaitResolved } from './execute.js';

/** `wait.resolved`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: waitResolved, execute: executeWaitResolved });
