import { defineNodeModule } from '../../node-module.js';
import { enrichLogs } from './definition.js';
import { executeLogs } from './execute.js';

/** `enrich.logs`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: enrichLogs, execute: executeLogs });
