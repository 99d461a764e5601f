import { z } from 'zod';
import { templatesIn, defineNode } from '../../definition.js';

export const ApprovalConfigSchema = z.strictObject({
  message: z.string().min(1, 'message is required').max(2000),
  timeoutSeconds: z.number().int().min(1).max(604800, 'at most 7 days').default(3600),
});

/** Parks the execution until a person approves or rejects, or the timeout passes. */
export const approvalRequest = defineNode({
  type: 'approval.request',
  version: 1,
  category: 'approval',
  label: 'Ask for approval',
  description: 'Waits for a person to approve or reject; continues on "timeout" if nobody decides in time.',
  icon: 'hand',
  configSchema: ApprovalConfigSchema,
  outputs: ['approved', 'rejected', 'timeout'],
  idempotent: true,
  sideEffects: true,
  simulatePort: 'approved',
  expressions: (c) => templatesIn(c.message, ['message']),
  summary: (c) => c.message,
  ui: { message: { widget: 'expression', language: 'template' }, timeoutSeconds: { widget: 'number' } },
});
