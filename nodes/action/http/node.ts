import { defineNodeModule } from '../../node-module.js';
import { httpAction } from './definition.js';
import { executeHttpAction } from './execute.js';

/** `action.http`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: httpAction, execute: executeHttpAction });
