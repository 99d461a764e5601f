import { defineNodeModule } from '../../node-module.js';
import { matchCondition } from './definition.js';
import { executeMatchCondition } from './execute.js';

/** `condition.match`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: matchCondition, execute: executeMatchCondition });
