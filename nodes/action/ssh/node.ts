import { defineNodeModule } from '../../node-module.js';
import { sshAction } from './definition.js';
import { executeSshAction } from './execute.js';

/** `action.ssh`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: sshAction, execute: executeSshAction });
