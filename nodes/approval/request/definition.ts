import { z } from 'zod';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { truncate } from '../../../shared/text.js';
import { abbreviateTemplates, formatDuration } from '../../format.js';
import { defineNodeType } from '../../node-type.js';

export const ApprovalRequestConfigSchema = z.strictObject({
  /** What the approver is asked (template), e.g. `Restart {{ alert.labels.service }}?`. */
  message: z
    .string({ error: 'message is required' })
    .trim()
    .min(1, 'message is required: say what the approver decides')
    .max(2000, 'must be at most 2000 characters'),
  /** How long to wait for a decision before taking `timeout`: 1 minute to 7 days. */
  timeoutSeconds: secondsSchema(60, 604_800).default(3600),
});

/**
 * What an `approval.request` step records once it is decided (the engine writes it: the
 * executor only parks the run): who decided what and when, or that nobody did in time.
 */
const ApprovalOutputSchema = z.discriminatedUnion('decision', [
  z.object({ decision: z.enum(['approved', 'rejected']), comment: z.string().nullable(), decidedBy: z.string(), decidedAt: z.string() }),
  z.object({ decision: z.literal('timeout'), decidedAt: z.string() }),
]);

/** Asks a person before the flow goes on. */
export const approvalRequest = defineNodeType({
  type: 'approval.request',
  category: 'approval',
  label: 'Ask for approval',
  defaultId: 'approval',
  description: 'Pauses the flow until a person approves or rejects, continuing on "timeout" if nobody decides in time.',
  icon: 'user-check',
  configSchema: ApprovalRequestConfigSchema,
  outputSchema: ApprovalOutputSchema,
  outputs: ['approved', 'rejected', 'timeout'],
  idempotent: true,
  sideEffects: true,
  simulatePort: 'approved',
  expressions: (config) => templatesIn({ message: config.message }),
  summary: (config) => `ask: ${truncate(abbreviateTemplates(config.message), 60)} (${formatDuration(config.timeoutSeconds, 's')})`,
  portHelp: {"approved": "a person approved", "rejected": "a person rejected", "timeout": "nobody decided within `timeoutSeconds`"},
  notes: [
    "Decide with `POST /api/approvals/:id` (`approve` or `reject`, optional comment). A second decision is refused (409) and changes nothing. Time spent waiting for a person does not count against the execution deadline.",
  ],
  ui: {
    message: { widget: 'expression', language: 'template', label: 'Question', help: 'What the approver sees, e.g. Restart {{ alert.labels.service }}?' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'Undecided after this long, the flow continues on "timeout".' },
  },
});
