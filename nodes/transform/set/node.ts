import { defineNodeModule } from '../../node-module.js';
import { setTransform } from './definition.js';
import { executeSetTransform } from './execute.js';

/** `transform.set`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: setTransform, execute: executeSetTransform });
