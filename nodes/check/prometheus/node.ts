import { defineNodeModule } from '../../node-module.js';
import { prometheusCheck } from './definition.js';
import { executePrometheusCheck } from './execute.js';

/** `check.prometheus`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: prometheusCheck, execute: executePrometheusCheck });
