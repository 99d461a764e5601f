import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { datadogSource } from './definition.js';
import { datadogAdapter } from './ingest.js';

/** `source.datadog`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: datadogSource, execute: passAlertOn, source: datadogAdapter });
