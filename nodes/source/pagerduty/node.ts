import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { pagerdutySource } from './definition.js';
import { pagerdutyAdapter } from './ingest.js';

/** `source.pagerduty`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: pagerdutySource, execute: passAlertOn, source: pagerdutyAdapter });
