import { defineNodeModule } from '../../node-module.js';
import { foreachControl } from './definition.js';
import { executeForeachControl } from './execute.js';

/** `control.foreach`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: foreachControl, execute: executeForeachControl });
