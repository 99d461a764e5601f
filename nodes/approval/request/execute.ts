import { defineExecutor } from '../../executor.js';
import { approvalRequest } from './definition.js';

/** Runs `approval.request`: parks the execution until a decision or `timeoutSeconds`. */
export const executeApprovalRequest = defineExecutor(approvalRequest, async (config) => ({
  type: 'wait-approval',
  message: config.message,
  timeoutSeconds: config.timeoutSeconds,
}));
