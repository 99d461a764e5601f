import { defineNodeModule } from '../../node-module.js';
import { shellAction } from './definition.js';
import { executeShellAction } from './execute.js';

/** `action.shell`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: shellAction, execute: executeShellAction });
