import { defineNodeModule } from '../../node-module.js';
import { exprCondition } from './definition.js';
import { executeExprCondition } from './execute.js';

/** `condition.expr`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: exprCondition, execute: executeExprCondition });
