import { z } from 'zod';

/**
 * The rules an approval is decided by: who may decide, how many must approve, whether the
 * run's starter or the revision's author may approve, whether a comment is required. An
 * `approval.request` step snapshots them from its config when it begins (approvals.rules), so
 * a decision is judged by the rules of the revision that runs.
 */
const ApprovalRulesSchema = z.object({
  approvers: z.object({ users: z.array(z.string()).optional(), teams: z.array(z.string()).optional() }).optional(),
  quorum: z.number().int().min(1),
  allowSelfApproval: z.boolean(),
  requireComment: z.boolean(),
});

export type ApprovalRules = z.infer<typeof ApprovalRulesSchema>;

/**
 * The rules of approvals begun before rules existed (approvals.rules is null): one approval by
 * anyone with the approver role, as they were decided then.
 */
const LEGACY_APPROVAL_RULES: ApprovalRules = { quorum: 1, allowSelfApproval: true, requireComment: false };

/** Reads the stored rules of an approval (null: begun before rules existed). */
export function parseApprovalRules(json: string | null): ApprovalRules {
  if (json === null) return LEGACY_APPROVAL_RULES;
  return ApprovalRulesSchema.parse(JSON.parse(json));
}
