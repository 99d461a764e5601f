import { defineExecutor } from '../../executor.js';
import { approvalRequest } from './definition.js';

/**
 * Runs `approval.request`: parks the execution until a decision or `timeoutSeconds`. Its rules go
 * with it: the engine stores them on the approval, and judges every decision by them.
 */
export const executeApprovalRequest = defineExecutor(approvalRequest, async (config) => ({
  type: 'wait-approval',
  message: config.message,
  timeoutSeconds: config.timeoutSeconds,
  rules: {
    ...(config.approvers ? { approvers: config.approvers } : {}),
    quorum: config.quorum,
    allowSelfApproval: config.allowSelfApproval,
    requireComment: config.requireComment,
  },
}));
