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
  /**
   * Who may decide: named users and/or the approvers of named teams. Absent (or naming nobody):
   * the people holding the approver role in the flow's team. Either way a decider also needs that role (or the
   * bootstrap admin token): the API checks it before the node's rules.
   */
  approvers: z
    .strictObject({
      /** Usernames, e.g. `alice`. */
      users: z.array(z.string().trim().min(1, 'a username is required').max(100, 'must be at most 100 characters')).max(100).optional(),
      /** Team ids: their members holding the approver role, e.g. `dba`. */
      teams: z.array(z.string().trim().min(1, 'a team id is required').max(100, 'must be at most 100 characters')).max(50).optional(),
    })
    .optional(),
  /** How many different people must approve; one rejection ends it at once. */
  quorum: z
    .number({ error: 'quorum must be a whole number' })
    .int('quorum must be a whole number')
    .min(1, 'quorum must be at least 1')
    .max(10, 'quorum must be at most 10')
    .default(1),
  /**
   * Whether the person who started the run by hand, or who saved the flow revision that is
   * running, may approve it. Off by default: four eyes.
   */
  allowSelfApproval: z.boolean({ error: 'allowSelfApproval must be true or false' }).default(false),
  /** Whether each decision must carry a comment (why). */
  requireComment: z.boolean({ error: 'requireComment must be true or false' }).default(false),
});

/**
 * What an `approval.request` step records once it is decided (the engine writes it: the
 * executor only parks the run): who decided what and when, or that nobody did in time.
 */
const ApprovalOutputSchema = z.discriminatedUnion('decision', [
  z.object({
    decision: z.enum(['approved', 'rejected']),
    /** The comment of the decision that ended it. */
    comment: z.string().nullable(),
    /** Who ended it: the approval that reached the quorum, or the rejection. */
    decidedBy: z.string(),
    decidedAt: z.string(),
    /** Everyone who approved (with a quorum, several people). */
    approvedBy: z.array(z.string()),
  }),
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
  // Nobody is asked to approve a fix for a problem that went away.
  onResolvedDefault: 'cancel',
  expressions: (config) => templatesIn({ message: config.message }),
  summary: (config) =>
    `ask: ${truncate(abbreviateTemplates(config.message), 60)} (${formatDuration(config.timeoutSeconds, 's')}${config.quorum > 1 ? `, ${config.quorum} approvals` : ''})`,
  portHelp: {"approved": "a person approved", "rejected": "a person rejected", "timeout": "nobody decided within `timeoutSeconds`"},
  notes: [
    "Decide with `POST /api/approvals/:id` (`approve` or `reject`, optional comment, and the `planHash` the approval showed). Time spent waiting for a person does not count against the execution deadline.",
    "**Who decides.** By default, the people holding the approver role in the flow's team. `approvers.users` (usernames) and `approvers.teams` (team ids: their approvers) narrow that to the people named; a decider still needs the approver role in the flow's team. The bootstrap admin token counts as an approver (break-glass: audited as such).",
    "**Quorum.** `quorum` different people must approve before the flow goes on (each decision is recorded and audited); one rejection rejects at once. A person decides once: a second decision is refused (409).",
    "**No self-approval.** Unless `allowSelfApproval` is set, the person who started the run by hand and the person who saved the flow revision that is running may not approve it (the bootstrap admin token included). Runs of revisions saved before accounts existed have no author.",
    "**Bound to the plan.** When the step begins, Salve hashes what approving runs (the flow id and revision, and every node after the `approved` port with its type and config) and the approval shows it as `planHash`; a decision sent with another hash is refused (409). The run keeps its revision: editing the flow meanwhile does not change what runs.",
    "The rules are those of the revision that runs, fixed when the step began.",
    "**When the alert resolves** while the approval waits (or before it began), the node's `onResolved` applies: `cancel` (the default) cancels the run and closes the approval as cancelled, so nobody is asked to approve a fix for a problem that went away; `continue` leaves it to the approvers.",
  ],
  ui: {
    message: { widget: 'expression', language: 'template', label: 'Question', help: 'What the approver sees, e.g. Restart {{ alert.labels.service }}?' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'Undecided after this long, the flow continues on "timeout".' },
    'approvers.users': { widget: 'list', label: 'Approvers (users)', help: "Optional: usernames, one per line. Empty (and no teams): the approvers of the flow's team." },
    'approvers.teams': { widget: 'list', label: 'Approvers (teams)', help: 'Optional: team ids, one per line; their members with the approver role may decide.' },
    quorum: { widget: 'number', label: 'Approvals needed', help: 'How many different people must approve; one rejection ends it.' },
    allowSelfApproval: {
      widget: 'boolean',
      label: 'Allow self-approval',
      help: 'Off: whoever started the run by hand or saved this revision of the flow may not approve it.',
    },
    requireComment: { widget: 'boolean', label: 'Require a comment', help: 'Each approver must say why.' },
  },
});
