import { z } from 'zod';
import { SalveError } from '../../../shared/errors.js';
import { truncate } from '../../../shared/text.js';
import { APPROVAL_BLOCK_ID, APPROVE_ACTION, REJECT_ACTION, buttonTarget } from '../../../shared/slack/approval-buttons.js';
import { escapeMrkdwn } from '../../../shared/slack/mrkdwn.js';
import type { DecisionResult, Engine } from '../../engine/engine.js';
import type { SecretStore } from '../../engine/secrets/secrets.js';
import type { Logger } from '../../log.js';
import type { ApprovalRow } from '../../store/approvals-repo.js';
import { identityOf } from '../roles.js';
import { postToResponseUrl, SLACK_API_URL } from './response-url.js';
import { salvePersonOf, type SlackPerson } from './slack-person.js';

/** The secret that holds the Slack app's signing secret (Basic Information → Signing Secret). */
export const SLACK_SIGNING_SECRET = 'SLACK_SIGNING_SECRET';
/** Slack wants an answer within 3 s; users.info gets most of it. */
const LOOKUP_TIMEOUT_MS = 2500;

/** What Salve reads of a block_actions payload (Slack sends much more). */
export const BlockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1).max(64), username: z.string().max(200).optional() }),
  response_url: z.string().max(2048).optional(),
  actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() })).min(1),
  message: z.object({ text: z.string().optional(), blocks: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
});
type BlockActions = z.infer<typeof BlockActionsSchema>;

/** A click Salve refuses: said to the clicker alone. */
class Refused extends Error {}

export interface SlackInteractionsDeps {
  engine: Engine;
  log: Logger;
  secrets: SecretStore;
  /** SALVE_SLACK_API_URL (tests: a loopback stand-in); default https://slack.com/api. */
  apiUrl?: string;
  now: () => number;
}

/**
 * Acts on a verified click of Salve's Approve/Reject buttons (routes-slack.ts answers Slack
 * first, then calls `act`): finds the approval, the Salve user behind the Slack user (verified
 * email), checks that they may decide it exactly as the API would, decides, and updates the
 * message through Slack's response_url. Refusals are posted so only the clicker sees them.
 */
export class SlackInteractions {
  private readonly apiUrl: string;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: SlackInteractionsDeps) {
    this.apiUrl = deps.apiUrl ?? SLACK_API_URL;
  }

  /** Starts acting on `payload` without waiting (Slack must be answered within 3 s). */
  start(payload: BlockActions, reqId?: string): void {
    const work = this.act(payload, reqId)
      .catch((error) => this.deps.log.error({ err: error, reqId }, 'Slack interaction failed'))
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** Resolves when every started interaction has finished (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  async act(payload: BlockActions, reqId?: string): Promise<void> {
    const action = payload.actions.find((a) => a.action_id === APPROVE_ACTION || a.action_id === REJECT_ACTION);
    if (!action) return; // another button of the message (a link): nothing to do
    const decision = action.action_id === APPROVE_ACTION ? 'approve' : 'reject';
    const slackUser = payload.user.id;
    try {
      const target = action.value ? buttonTarget(action.value) : undefined;
      if (!target) throw new Refused('this button was not made by Salve');
      const approval = await this.approvalOf(target);
      const { actor, principal } = await this.personOf(slackUser);
      // The same rules as every decision (engine.decide: approver of the flow's team, quorum, no
      // self-approval); its refusals are audited there. The plan is the one the approval holds now:
      // a Slack message cannot show a plan hash, and a changed flow makes a new approval anyway.
      const result = await this.deps.engine.decide(approval.id, { decision }, { actor, identity: identityOf(principal), principal });
      this.deps.log.info({ reqId, approvalId: approval.id, decision, actor: actor.name, via: 'slack', status: result.status }, 'approval decided from Slack');
      await this.respond(payload, { replace_original: true, ...updatedMessage(payload, result, actor.name) }, reqId);
    } catch (error) {
      const reason = error instanceof Refused || error instanceof SalveError ? error.message : 'Salve could not record the decision; try again, or decide in Salve';
      if (!(error instanceof Refused || error instanceof SalveError)) this.deps.log.error({ err: error, reqId }, 'Slack decision failed');
      // engine.decide audits its own refusals; those before it (who clicked, which approval) are audited here.
      if (error instanceof Refused) await this.refusal(slackUser, decision, reason);
      await this.respond(payload, { response_type: 'ephemeral', replace_original: false, text: `Salve did not record your ${decision === 'approve' ? 'approval' : 'rejection'}: ${reason}` }, reqId);
    }
  }

  /** The approval a button names: the node's step in the run and the posting step's loop item. */
  private async approvalOf(target: { executionId: string; nodeId: string; stepId: string }): Promise<ApprovalRow> {
    const { engine } = this.deps;
    const approval = await engine.store.read(async (tx) => {
      const scope = (await tx.steps.get(target.stepId))?.scope ?? null;
      return engine.links.approvalFor(tx, { executionId: target.executionId, nodeId: target.nodeId, scope });
    });
    if (!approval) throw new Refused(`the approval step "${target.nodeId}" of this run has not started (or the run is gone)`);
    return approval;
  }

  /** The Salve person behind the Slack user (slack-person.ts), or Refused saying why none. */
  private async personOf(slackUser: string): Promise<SlackPerson> {
    const found = await salvePersonOf(this.deps, { apiUrl: this.apiUrl, userId: slackUser, timeoutMs: LOOKUP_TIMEOUT_MS });
    if ('reason' in found) throw new Refused(found.reason);
    return found;
  }


  /** Audits a refused click: who in Slack, what, and why (no secrets: Slack ids and Salve's reason). */
  private async refusal(slackUser: string, decision: string, reason: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.engine.store.write((tx) =>
      tx.audit.append({ actor: { name: `slack:${slackUser}`, via: 'slack' }, action: 'approval.refused', target: 'slack', details: { decision, reason }, now }),
    );
  }

  /** Posts to the interaction's response_url (response-url.ts: Slack's own host only). */
  private async respond(payload: BlockActions, body: Record<string, unknown>, reqId?: string): Promise<void> {
    if (!payload.response_url) return;
    await postToResponseUrl({ apiUrl: this.apiUrl, responseUrl: payload.response_url, body, log: this.deps.log, reqId, what: 'message update' });
  }

}

/**
 * The clicked message after a decision: while the approval waits for more decisions (a quorum)
 * the buttons stay and a line says who decided so far; once it ended the buttons give way to
 * who decided.
 */
function updatedMessage(payload: BlockActions, result: DecisionResult, by: string): { text: string; blocks: Record<string, unknown>[] } {
  const blocks = payload.message?.blocks ?? [];
  const at = blocks.findIndex((b) => b.block_id === APPROVAL_BLOCK_ID);
  const who = escapeMrkdwn(by);
  const progress = `${result.approvals.count} of ${result.approvals.needed} approvals`;
  const line =
    result.status === 'pending'
      ? `:white_check_mark: ${who} approved (${progress}); waiting for ${result.approvals.needed - result.approvals.count} more`
      : result.status === 'approved'
        ? `:white_check_mark: Approved by ${who} (${progress})`
        : `:x: Rejected by ${who}`;
  const note = { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(line, 3000) }] };
  const next = [...blocks];
  if (at < 0) next.push(note);
  else if (result.status === 'pending') next.splice(at + 1, 0, note);
  else next.splice(at, 1, note);
  return { text: payload.message?.text ?? line, blocks: next };
}
