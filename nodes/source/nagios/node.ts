import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { nagiosSource } from './definition.js';
import { nagiosAdapter } from './ingest.js';

/** `source.nagios`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: nagiosSource, execute: passAlertOn, source: nagiosAdapter });
