import type { Flow } from '../../../shared/flow/schema.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../shared/errors.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
import { resumeStep } from '../dispatch/transitions.js';
import { approvalCount, approvalFacts, approverTeamsOf, judge, type Decider, type Refusal } from './rules.js';

/** One person's decision, as any transport (API, approval link, Slack button) hands it over. */
export interface DecisionInput {
  decision: 'approve' | 'reject';
  comment?: string;
  /**
   * The plan hash the decider was shown (the approval view's `planHash`). Given and different
   * from the approval's: refused (409), the decider looked at another plan. The HTTP API
   * requires it from sessions and API tokens.
   */
  planHash?: string;
}

/** What happened: the approval's status after this decision, and the quorum progress. */
export interface DecisionResult {
  status: 'pending' | 'approved' | 'rejected';
  approvals: { count: number; needed: number };
}

const refusalError = (r: Refusal) => (r.code === 'conflict' ? new ConflictError(r.reason) : new ForbiddenError(r.reason));

/**
 * Records one person's decision on an approval, in one transaction with its audit row
 * (`approval.approve` / `approval.reject`, with the quorum progress). A rejection rejects at
 * once; an approval approves once `quorum` different people approved. Then the run goes on.
 * Refusals change nothing but are audited (`approval.refused`, with the reason) and thrown:
 * ForbiddenError (not an approver, self-approval), ConflictError (decided already, plan
 * changed), ValidationError at `comment` (required by the node), NotFoundError.
 */
export async function decideApproval(
  deps: { store: Store; now: number; flowAt: (tx: StoreTx, id: string, revision: number) => Promise<Flow | undefined> },
  approvalId: string,
  input: DecisionInput,
  decider: Decider,
): Promise<DecisionResult> {
  const { store, now } = deps;
  const comment = input.comment?.trim() || null;
  const outcome = await store.write(async (tx): Promise<{ refused: Refusal; executionId: string } | { result: DecisionResult }> => {
    // Locked: people deciding at once (on several processes) take turns, each counting the others' decisions.
    const approval = await tx.approvals.lock(approvalId);
    if (!approval) throw new NotFoundError(`approval "${approvalId}" not found`);
    const facts = await approvalFacts(tx, approval);
    const verdict = judge(facts, decider, await approverTeamsOf(tx, decider.principal));
    const refused = verdict[input.decision];
    if (refused) return { refused, executionId: approval.executionId };
    if (input.planHash !== undefined && approval.planHash !== null && input.planHash !== approval.planHash) {
      return {
        refused: { code: 'conflict', reason: 'the plan changed: what approving runs is not what you were shown; reload the approval and decide again' },
        executionId: approval.executionId,
      };
    }
    if (facts.rules.requireComment && comment === null) {
      throw new ValidationError('a comment is required', [{ path: ['comment'], message: 'this approval requires a comment: say why you decide so' }]);
    }

    const row = {
      approvalId,
      decider: decider.identity,
      deciderName: decider.actor.name,
      decision: input.decision,
      comment,
      via: decider.actor.via,
      planHash: input.planHash ?? null,
      at: now,
    };
    // judge() saw no decision of theirs in this same transaction: the insert cannot conflict.
    await tx.approvals.insertDecision(row);
    const decisions = [...facts.decisions, row];
    const needed = facts.rules.quorum;
    const count = approvalCount(decisions);
    const status = input.decision === 'reject' ? 'rejected' : count >= needed ? 'approved' : 'pending';

    if (status !== 'pending') {
      await tx.approvals.decide(approvalId, { status, decidedAt: now, decidedBy: decider.actor.name, comment });
      const step = await tx.steps.get(approval.stepId);
      const exec = await tx.executions.get(approval.executionId);
      const flow = exec && (await deps.flowAt(tx, exec.flowId, exec.flowRevision));
      if (step && flow) {
        const approvedBy = decisions.filter((d) => d.decision === 'approve').map((d) => d.deciderName);
        const output = { decision: status, comment, decidedBy: decider.actor.name, decidedAt: new Date(now).toISOString(), approvedBy };
        await resumeStep(tx, flow, step, status, output, now);
      }
    }
    await tx.audit.append({
      actor: decider.actor,
      action: `approval.${input.decision}`,
      target: approvalId,
      details: {
        executionId: approval.executionId,
        stepId: approval.stepId,
        comment: comment ?? undefined,
        approvals: `${count} of ${needed}`,
        ...(verdict.breakGlass ? { breakGlass: true } : {}),
      },
      before: { status: 'pending' },
      after: { status },
      now,
    });
    return { result: { status, approvals: { count, needed } } };
  });

  if ('result' in outcome) return outcome.result;
  await store.write((tx) =>
    tx.audit.append({
      actor: decider.actor,
      action: 'approval.refused',
      target: approvalId,
      details: { executionId: outcome.executionId, decision: input.decision, reason: outcome.refused.reason },
      now,
    }),
  );
  throw refusalError(outcome.refused);
}
