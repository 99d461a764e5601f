import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { alertmanagerSource } from './definition.js';
import { alertmanagerAdapter } from './ingest.js';

/** `source.alertmanager`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: alertmanagerSource, execute: passAlertOn, source: alertmanagerAdapter });
