import { defineNodeModule } from '../../node-module.js';
import { httpCheck } from './definition.js';
import { executeHttpCheck } from './execute.js';

/** `check.http`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: httpCheck, execute: executeHttpCheck });
