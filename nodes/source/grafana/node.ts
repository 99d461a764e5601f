import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { grafanaSource } from './definition.js';
import { grafanaAdapter } from './ingest.js';

/** `source.grafana`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: grafanaSource, execute: passAlertOn, source: grafanaAdapter });
