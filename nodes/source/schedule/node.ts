import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { scheduleSource } from './definition.js';
import { scheduleAdapter } from './ingest.js';
import { scheduleTrigger } from './trigger.js';

/** `source.schedule`, Node-only half: how its ticks start runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: scheduleSource, execute: passAlertOn, source: scheduleAdapter, trigger: scheduleTrigger });
