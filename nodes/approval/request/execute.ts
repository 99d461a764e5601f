import { defineExecutor } from '../../executor.js';
import { approvalRequest } from './definition.js';

export const executeApproval = defineExecutor(approvalRequest, async (config) => ({
  type: 'wait-approval',
  message: config.message,
  timeoutSeconds: config.timeoutSeconds,
}));
