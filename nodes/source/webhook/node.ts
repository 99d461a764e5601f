import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { webhookSource } from './definition.js';
import { webhookAdapter } from './ingest.js';

/** `source.webhook`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: webhookSource, execute: passAlertOn, source: webhookAdapter });
