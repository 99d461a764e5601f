import type { Actor } from '../../../shared/audit.js';
import { parseApprovalRules, type ApprovalRules } from '../../../shared/approval-rules.js';
import type { Db } from '../../store/db.js';
import type { Principal } from '../../http/roles.js';
import { approvalsRepo, type ApprovalDecisionRow, type ApprovalRow } from '../../store/approvals-repo.js';
import { executionsRepo } from '../../store/executions-repo.js';
import { flowsRepo } from '../../store/flows-repo.js';
import { peopleRepo } from '../../store/people-repo.js';

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
 * Whether the user holds the approver role in `teamId`. An admin user's principal carries no
 * team roles (it may do everything everywhere), but being an admin does not make one an
 * approver: their own memberships are read.
 */
function approverIn(db: Db, principal: Principal, teamId: string): boolean {
  if (!principal.user) return false;
  if (principal.admin) return peopleRepo.membershipsOf(db, principal.user.id).some((m) => m.teamId === teamId && m.role === 'approver');
  return principal.teamRoles.get(teamId)?.has('approver') === true;
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

export function approvalFacts(db: Db, approval: ApprovalRow, decisions?: ApprovalDecisionRow[]): ApprovalFacts {
  const exec = executionsRepo.get(db, approval.executionId);
  return {
    approval,
    rules: parseApprovalRules(approval.rules),
    decisions: decisions ?? approvalsRepo.decisionsFor(db, approval.id),
    teamId: exec ? flowsRepo.summary(db, exec.flowId)?.teamId : undefined,
    startedBy: exec?.startedBy ?? null,
    author: exec ? flowsRepo.revisionAuthor(db, exec.flowId, exec.flowRevision) : null,
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
export function judge(db: Db, facts: ApprovalFacts, decider: Decider): Verdict {
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
    if (!approverIn(db, p, facts.teamId)) return both(forbidden(`you do not hold the approver role in team "${facts.teamId}", which owns this flow`));
    const users = rules.approvers?.users ?? [];
    const teams = rules.approvers?.teams ?? [];
    if (users.length + teams.length > 0) {
      const named = users.includes(p.user.username) || teams.some((t) => approverIn(db, p, t));
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
