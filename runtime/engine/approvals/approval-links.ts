import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { ConflictError, NotFoundError } from '../../../shared/errors.js';
import type { Actor } from '../../../shared/audit.js';
import type { ApprovalRow } from '../../store/approvals-repo.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StoreTx } from '../../store/tx.js';
import { linkIdOf, signLink, verifyLink, type LinkClaims } from './link-token.js';

/** The approval node's default timeoutSeconds: a link made before its approval starts expires as the approval would. */
const DEFAULT_TIMEOUT_SECONDS = 3600;

/** `approval` in templates: the link to the flow's approval step, and to each approval node by id. */
export interface ApprovalVars {
  /** The link to the approval step when the flow has exactly one approval node. */
  link?: string;
  /** The link to each approval node's step, by node id. */
  links: Record<string, string>;
}

/** What a link reads as where no link is signed (a simulation, the preview of what approving runs). */
const PLACEHOLDER_LINK = '(approval link: signed when the run sends it)';

/** The flow's approval nodes (the approval category: their steps wait for a person). */
const approvalNodes = (flow: Flow) => flow.nodes.filter((n) => getNodeDefinition(n.type)?.category === 'approval');

/** `approval` with placeholders: for simulations and previews, which send nothing and sign nothing. */
export function placeholderLinks(flow: Flow): ApprovalVars {
  const nodes = approvalNodes(flow);
  const links = Object.fromEntries(nodes.map((n) => [n.id, PLACEHOLDER_LINK]));
  return nodes.length === 1 ? { link: PLACEHOLDER_LINK, links } : { links };
}

/** What a link is good for now (`GET /api/approval-links/:token`). */
export type LinkState =
  | { state: 'usable'; claims: LinkClaims; approval: ApprovalRow }
  /** The approval step has not started yet: try again once it has. */
  | { state: 'waiting'; claims: LinkClaims }
  | { state: 'decided'; claims: LinkClaims; approval: ApprovalRow }
  | { state: 'expired'; claims: LinkClaims; approval?: ApprovalRow }
  | { state: 'used'; claims: LinkClaims; approval?: ApprovalRow; usedAt: number; usedBy: string };

/**
 * Approval links: made for templates (`{{ approval.link }}`), checked and used when a person
 * decides through one. See link-token.ts for the token; `key` is derived from the master key.
 * Without a key (a test engine without a secret store) templates get no links.
 */
export class ApprovalLinks {
  constructor(
    private readonly key: Buffer | undefined,
    /** SALVE_PUBLIC_ORIGIN: links are absolute when it is set, else paths from the editor's root. */
    private readonly publicOrigin: string | undefined,
  ) {}

  /** The URL a person opens: the approvals page of the editor, with the token. */
  urlOf(token: string): string {
    return `${this.publicOrigin ?? ''}/#/approvals?link=${encodeURIComponent(token)}`;
  }

  /**
   * `approval` for a step of `exec` in loop item `scope`: a link per approval node of the flow.
   * Each expires when its approval does: at the approval's deadline once the step has started,
   * before that after the node's timeout from now (its approval, starting later, ends later).
   */
  async varsFor(tx: StoreTx, exec: ExecutionRow, flow: Flow, scope: string | null, now: number): Promise<ApprovalVars> {
    const links: Record<string, string> = {};
    if (!this.key) return { links };
    const nodes = approvalNodes(flow);
    for (const node of nodes) {
      const timeout = (node.config as { timeoutSeconds?: unknown }).timeoutSeconds;
      const token = await this.tokenFor(tx, { executionId: exec.id, nodeId: node.id, scope }, typeof timeout === 'number' ? timeout : DEFAULT_TIMEOUT_SECONDS, now);
      if (token) links[node.id] = this.urlOf(token);
    }
    const only = nodes.length === 1 ? links[nodes[0]!.id] : undefined;
    return only ? { link: only, links } : { links };
  }

  /** A token for the approval of `target`, expiring with it (`timeoutSeconds` from now until it has started). */
  async tokenFor(tx: StoreTx, target: Omit<LinkClaims, 'expiresAt'>, timeoutSeconds: number, now: number): Promise<string | undefined> {
    if (!this.key) return undefined;
    const started = await this.approvalFor(tx, target);
    return signLink(this.key, { ...target, expiresAt: started?.deadlineAt ?? now + timeoutSeconds * 1000 });
  }

  /** The approval a link names: the approval node's step in the run and loop item, once it has started. */
  async approvalFor(tx: StoreTx, claims: Pick<LinkClaims, 'executionId' | 'nodeId' | 'scope'>): Promise<ApprovalRow | undefined> {
    const candidates = (await tx.approvals.forExecution(claims.executionId, 200)).filter((a) => a.nodeId === claims.nodeId);
    const inScope: ApprovalRow[] = [];
    for (const a of candidates) if (((await tx.steps.get(a.stepId))?.scope ?? null) === claims.scope) inScope.push(a);
    // Newest first (the list's order when not filtered by status): a retried step's latest approval.
    return inScope.find((a) => a.status === 'pending') ?? inScope[0];
  }

  /** The claims of a correctly signed token (expired or not); undefined for anything else. */
  claimsOf(token: string): LinkClaims | undefined {
    if (!this.key) return undefined;
    const checked = verifyLink(this.key, token, 0);
    return checked.ok ? checked.claims : undefined;
  }

  /** What `token` is good for at `now`; NotFoundError when it is not a link Salve signed. */
  async stateOf(tx: StoreTx, token: string, now: number): Promise<LinkState> {
    const checked = this.key ? verifyLink(this.key, token, now) : undefined;
    if (!checked || (!checked.ok && checked.reason !== 'expired') || !checked.claims) {
      throw new NotFoundError('not a valid approval link: it is incomplete, was changed, or was signed with another key (links end when the master key is rotated)');
    }
    const claims = checked.claims;
    const approval = await this.approvalFor(tx, claims);
    const used = await tx.approvalLinks.get(linkIdOf(claims));
    if (used) return { state: 'used', claims, usedAt: used.usedAt, usedBy: used.usedByName, ...(approval ? { approval } : {}) };
    if (!checked.ok) return { state: 'expired', claims, ...(approval ? { approval } : {}) };
    if (!approval) return { state: 'waiting', claims };
    if (approval.status !== 'pending') return { state: 'decided', claims, approval };
    return { state: 'usable', claims, approval };
  }

  /** Makes a used link usable again (the decision it carried was refused). */
  release(tx: StoreTx, id: string): Promise<void> {
    return tx.approvalLinks.remove(id);
  }

  /**
   * Records that `actor` used `token` to decide `approvalId` (inside the caller's transaction).
   * Refused — nothing written — when the link is not Salve's, names another approval, expired,
   * or was used already.
   */
  async use(tx: StoreTx, token: string, approvalId: string, actor: Actor, now: number): Promise<string> {
    const found = await this.stateOf(tx, token, now);
    const approval = 'approval' in found ? found.approval : undefined;
    if (approval && approval.id !== approvalId) throw new ConflictError(`this approval link is for approval "${approval.id}", not "${approvalId}"`, { link: 'other-approval' });
    if (found.state === 'used') {
      throw new ConflictError(`this approval link was already used by ${found.usedBy} at ${new Date(found.usedAt).toISOString()}; a link is good for one decision`, { link: 'used' });
    }
    if (found.state === 'expired') throw new ConflictError(`this approval link expired at ${new Date(found.claims.expiresAt).toISOString()}`, { link: 'expired' });
    if (found.state === 'waiting') throw new ConflictError('the approval this link is for has not started yet', { link: 'waiting' });
    const id = linkIdOf(found.claims);
    const marked = await tx.approvalLinks.markUsed({
      id,
      executionId: found.claims.executionId,
      nodeId: found.claims.nodeId,
      approvalId,
      expiresAt: found.claims.expiresAt,
      usedAt: now,
      usedBy: actor.identity ?? actor.name,
      usedByName: actor.name,
    });
    // Another process used it between the read above and this insert (PostgreSQL: both read it unused).
    if (!marked) throw new ConflictError('this approval link was just used by someone else; a link is good for one decision', { link: 'used' });
    return id;
  }
}
