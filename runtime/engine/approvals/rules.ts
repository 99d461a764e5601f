import type { Actor } from '../../../shared/audit.js';
import { parseApprovalRules, type ApprovalRules } from '../../../shared/approval-rules.js';
import type { Principal } from '../../http/roles.js';
import type { ApprovalDecisionRow, ApprovalRow } from '../../store/approvals-repo.js';
import type { StoreTx } from '../../store/tx.js';

/**
 * Who decides an approval, whatever the transport (the API, an approval link, a Slack button):
 * - `actor`: what the audit log records (name, via, address);
 * - `identity`: the stable identity decisions are counted by, `user:<id>` or `admin` (the
 *   bootstrap admin token), also compared with the run's starter and the revision's author;
 * - `principal`: the person's roles, to check they are an approver of the flow's team.
 * Build it from a request with `identityOf(principal)` (runtime/http/roles.ts).
 */
export interface Decider {
  actor: Actor;
  identity: string;
  principal: Principal;
}

/** Why someone may not decide: the HTTP status family and a sentence they can act on. */
export type Refusal = { code: 'forbidden' | 'conflict'; reason: string };

/** Whether a decider may approve and may reject this approval now (undefined: they may). */
export interface Verdict {
  approve?: Refusal;
  reject?: Refusal;
  /** The bootstrap admin token decides as break-glass (audited so). */
  breakGlass: boolean;
}

const forbidden = (reason: string): Refusal => ({ code: 'forbidden', reason });
const conflict = (reason: string): Refusal => ({ code: 'conflict', reason });

/** The bootstrap admin token (as a bearer token or its session): break-glass, it counts as an approver. */
const isBootstrapAdmin = (p: Principal) => p.admin && p.user === undefined;

/**
 * The teams in which the decider holds the approver role, read once per request. An admin
 * user's principal carries no team roles (it may do everything everywhere), but being an admin
 * does not make one an approver: their own memberships are read.
 */
export async function approverTeamsOf(tx: StoreTx, principal: Principal): Promise<ReadonlySet<string>> {
  if (!principal.user) return new Set();
  if (principal.admin) return new Set((await tx.people.membershipsOf(principal.user.id)).filter((m) => m.role === 'approver').map((m) => m.teamId));
  return new Set([...principal.teamRoles].filter(([, roles]) => roles.has('approver')).map(([teamId]) => teamId));
}

/** The facts about an approval that rules are judged on; read once per approval. */
export interface ApprovalFacts {
  approval: ApprovalRow;
  rules: ApprovalRules;
  decisions: ApprovalDecisionRow[];
  /** The team owning the run's flow now (undefined: the flow was deleted). */
  teamId: string | undefined;
  /** Who started the run by hand (`user:<id>`/`admin`), if a person did. */
  startedBy: string | null;
  /** Who saved the flow revision that runs, if known. */
  author: string | null;
}

export async function approvalFacts(tx: StoreTx, approval: ApprovalRow, decisions?: ApprovalDecisionRow[]): Promise<ApprovalFacts> {
  const exec = await tx.executions.get(approval.executionId);
  return {
    approval,
    rules: parseApprovalRules(approval.rules),
    decisions: decisions ?? (await tx.approvals.decisionsFor(approval.id)),
    teamId: exec ? await tx.flows.team(exec.flowId) : undefined,
    startedBy: exec?.startedBy ?? null,
    author: exec ? await tx.flows.revisionAuthor(exec.flowId, exec.flowRevision) : null,
  };
}

/** Distinct people who approved so far. */
export const approvalCount = (decisions: readonly ApprovalDecisionRow[]) => decisions.filter((d) => d.decision === 'approve').length;

/**
 * Judges a decider against an approval's rules: the same function answers the approval view's
 * `youMayDecide` and refuses decisions (engine.decide). Checked in order: still pending, not
 * decided already, an allowed approver, and (approving only) not their own run or revision.
 * Rejecting one's own run is allowed: stopping it needs no second pair of eyes.
 */
export function judge(facts: ApprovalFacts, decider: Decider, approverTeams: ReadonlySet<string>): Verdict {
  const breakGlass = isBootstrapAdmin(decider.principal);
  const both = (refusal: Refusal): Verdict => ({ approve: refusal, reject: refusal, breakGlass });
  const { approval, rules } = facts;
  if (approval.status !== 'pending') return both(conflict(`this approval is already ${approval.status}; nothing changed`));
  const mine = facts.decisions.find((d) => d.decider === decider.identity);
  if (mine) return both(conflict(`you already decided (${mine.decision === 'approve' ? 'approved' : 'rejected'}); each person decides once`));

  if (!breakGlass) {
    const p = decider.principal;
    if (!p.user) return both(forbidden('only people with an account can decide approvals'));
    if (p.user.kind === 'service') return both(forbidden(`${p.user.username} is a service account; approvals are decided by people`));
    if (facts.teamId === undefined) return both(forbidden("this run's flow was deleted; only the admin token can decide its approvals"));
    if (!approverTeams.has(facts.teamId)) return both(forbidden(`you do not hold the approver role in team "${facts.teamId}", which owns this flow`));
    const users = rules.approvers?.users ?? [];
    const teams = rules.approvers?.teams ?? [];
    if (users.length + teams.length > 0) {
      const named = users.includes(p.user.username) || teams.some((t) => approverTeams.has(t));
      if (!named) {
        const who = [...users.map((u) => `user ${u}`), ...teams.map((t) => `the approvers of team ${t}`)].join(', ');
        return both(forbidden(`this approval may be decided only by ${who}`));
      }
    }
  }

  let approve: Refusal | undefined;
  if (!rules.allowSelfApproval) {
    if (facts.startedBy !== null && facts.startedBy === decider.identity) {
      approve = forbidden('you started this run by hand, so you may not approve it (no self-approval); ask another approver');
    } else if (facts.author !== null && facts.author === decider.identity) {
      approve = forbidden('you saved the flow revision this run uses, so you may not approve it (no self-approval); ask another approver');
    }
  }
  return { approve, breakGlass };
}
