import { defineNodeModule } from '../../node-module.js';
import { passAlertOn } from '../pass-alert.js';
import { zabbixSource } from './definition.js';
import { zabbixAdapter } from './ingest.js';

/** `source.zabbix`, Node-only half: how its deliveries are checked and read. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: zabbixSource, execute: passAlertOn, source: zabbixAdapter });
