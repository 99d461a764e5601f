import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { cloudwatchSource } from './definition.js';
import { cloudwatchAdapter } from './ingest.js';

/** `source.cloudwatch`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: cloudwatchSource, execute: passAlertOn, source: cloudwatchAdapter });
