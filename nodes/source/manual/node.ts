import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { manualSource } from './definition.js';
import { manualAdapter } from './ingest.js';
import { manualTrigger } from './trigger.js';

/** `source.manual`, Node-only half: how a person starts a run. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: manualSource, execute: passAlertOn, source: manualAdapter, trigger: manualTrigger });
