import { defineNodeModule } from '../../node-module.js';
import { delayAction } from './definition.js';
import { executeDelayAction } from './execute.js';

/** `action.delay`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: delayAction, execute: executeDelayAction });
