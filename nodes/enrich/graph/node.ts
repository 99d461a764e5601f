import { defineNodeModule } from '../../node-module.js';
import { enrichGraph } from './definition.js';
import { executeGraph } from './execute.js';

/** `enrich.graph`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: enrichGraph, execute: executeGraph });
