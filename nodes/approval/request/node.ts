import { defineNodeModule } from '../../node-module.js';
import { approvalRequest } from './definition.js';
import { executeApprovalRequest } from './execute.js';

/** `approval.request`, Node-only half: how a step of it runs. Loaded by nodes/registry.ts. */
export const node = defineNodeModule({ definition: approvalRequest, execute: executeApprovalRequest });
