import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { approvalContext, previewReadsEvent } from '../engine/dispatch/approval-context.js';
import type { Flow } from '../../shared/flow/schema.js';
import type { ApprovalRow } from '../store/approvals-repo.js';
import type { ExecutionRow } from '../store/executions-repo.js';
import type { Approval, ApprovalLinkView, Execution, ExecutionDetail, List, Page } from '../../shared/api-views.js';
import { EVENT_OUTCOMES, type EventDetail, type EventSummary } from '../../shared/event-log.js';
import { APPROVAL_STATUSES, EXECUTION_STATUSES } from '../../shared/statuses.js';
import type { StepRow } from '../store/steps-repo.js';
import { authorOf } from '../engine/flows/flow-service.js';
import { actorOf, deciderOf, type AuthEnv } from './auth.js';
import { approvalFacts, approverTeamsOf, judge, type ApprovalFacts, type Verdict } from '../engine/approvals/rules.js';
import type { StoreTx } from '../store/tx.js';
import { visibleFlowIds } from './visibility.js';
import { validJson, validOptionalJson, validQuery } from './validated.js';
import { approvalView, eventDetailView, eventView, executionView, stepView } from './views.js';

const limit = z.coerce.number().int().min(1).max(200).default(50);

export const ExecutionQuery = z.strictObject({
  flowId: z.string().optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  limit,
  before: z.string().optional(),
});

export const ApprovalQuery = z.strictObject({ status: z.enum(APPROVAL_STATUSES).optional(), limit });

export const DecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'decision must be "approve" or "reject"' }),
  comment: z.string().max(2000, 'comment must be at most 2000 characters').optional(),
  /** The approval's `planHash` as the decider saw it; required from sessions and API tokens. */
  planHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "planHash must be the approval's planHash (64 hex digits)")
    .optional(),
  /** An approval link (`?link=` of the page it opened): the decision uses it up, and is refused if it cannot. */
  link: z.string().min(1, 'link must be the approval link token').max(2048, 'link must be at most 2048 characters').optional(),
});

/** `POST /api/executions/:id/release` (the body may be left out). */
export const ReleaseSchema = z.strictObject({
  comment: z.string().max(2000, 'comment must be at most 2000 characters').optional(),
});

const time = (name: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z` })
    .transform((v) => Date.parse(v))
    .optional();

export const EventQuery = z
  .strictObject({
    limit,
    before: z.string().max(200).optional(),
    outcome: z.enum(EVENT_OUTCOMES, { error: `outcome must be one of ${EVENT_OUTCOMES.join(', ')}` }).optional(),
    /** A source type (`alertmanager`); `source.alertmanager` is read the same way. */
    source: z
      .string()
      .regex(/^(source\.)?[a-z0-9][a-z0-9_-]{0,63}$/, 'source must be a source type such as alertmanager')
      .transform((v) => v.replace(/^source\./, ''))
      .optional(),
    flowId: z.string().min(1).max(200).optional(),
    path: z.string().min(1).max(200).optional(),
    since: time('since'),
    until: time('until'),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { path: ['until'], message: 'until must not be before since' });

/** `/api/executions`, `/api/approvals` and `/api/events`. */
export function runRoutes(engine: Engine) {
  const readExecution = (id: string) => engine.store.read((tx) => tx.executions.get(id));
  const readApproval = (id: string) => engine.store.read((tx) => tx.approvals.get(id));

  /** Each approval's facts and what the caller may do about it (the caller's approver teams and the decisions read once). */
  const judged = async (tx: StoreTx, c: Context, rows: ApprovalRow[]) => {
    const decider = deciderOf(c);
    const approverTeams = await approverTeamsOf(tx, decider.principal);
    const decisions = await tx.approvals.decisionsForMany(rows.map((r) => r.id));
    const out: { row: ApprovalRow; facts: ApprovalFacts; verdict: Verdict }[] = [];
    for (const row of rows) {
      const facts = await approvalFacts(tx, row, decisions.get(row.id) ?? []);
      out.push({ row, facts, verdict: judge(facts, decider, approverTeams) });
    }
    return out;
  };

  /**
   * Approvals with what an approver needs: the flow, the alert, what ran, what approving runs.
   * Costs two reads per execution (row and steps; the event body only if a template reads it),
   * shared by approvals of the same execution; flow revisions are cached by the engine.
   */
  const withContext = (c: Context, rows: ApprovalRow[]): Promise<Approval[]> =>
    engine.store.read(async (tx) => {
      const runs = new Map<string, { exec: ExecutionRow; steps: StepRow[]; flow: Flow | undefined; event?: unknown } | null>();
      const views: Approval[] = [];
      for (const { row, facts, verdict } of await judged(tx, c, rows)) {
        let run = runs.get(row.executionId);
        if (run === undefined) {
          const exec = await tx.executions.get(row.executionId);
          run = exec ? { exec, steps: await tx.steps.forExecution(exec.id), flow: await engine.revisionIn(tx, exec.flowId, exec.flowRevision) } : null;
          runs.set(row.executionId, run);
        }
        if (!run) {
          views.push(approvalView(facts, { verdict }));
          continue;
        }
        // The delivery body only when a step that approving runs may read it (once per run).
        if (run.event === undefined && previewReadsEvent(run.flow, row.nodeId)) {
          const body = await tx.events.body(run.exec.eventId);
          run.event = body === undefined ? null : (JSON.parse(body) as unknown);
        }
        const event = run.event ?? null;
        const context = approvalContext({ approval: row, exec: run.exec, flow: run.flow, steps: run.steps, event: () => event });
        views.push(approvalView(facts, { exec: run.exec, context, verdict }));
      }
      return views;
    });

  /** Approvals of one run, for its detail: rules, decisions and what the caller may do, without the context. */
  const ofRun = (c: Context, executionId: string): Promise<Approval[]> =>
    engine.store.read(async (tx) => (await judged(tx, c, await tx.approvals.forExecution(executionId, 200))).map(({ facts, verdict }) => approvalView(facts, { verdict })));

  return new Hono<AuthEnv>()
    .get('/executions', validQuery(ExecutionQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await engine.store.read(async (tx) => tx.executions.list({ ...q, flowIds: await visibleFlowIds(c, tx, 'runs:read') }));
      return c.json({ items: rows.map(executionView), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null } satisfies Page<Execution>);
    })
    .get('/executions/:id', async (c) => {
      const id = c.req.param('id');
      const run = await engine.store.read(async (tx) => {
        const exec = await tx.executions.get(id);
        if (!exec) return undefined;
        const released = exec.releasedBy === null ? undefined : await authorOf(tx, exec.releasedBy);
        return {
          exec,
          released,
          steps: await tx.steps.forExecution(exec.id),
          children: await tx.executions.children(exec.id),
          flow: await engine.revisionIn(tx, exec.flowId, exec.flowRevision),
        };
      });
      if (!run) throw new NotFoundError(`execution "${id}" not found`);
      const { exec } = run;
      const view = executionView(exec);
      return c.json({
        ...view,
        ...(view.released && run.released ? { released: { ...view.released, name: run.released.name } } : {}),
        steps: run.steps.map(stepView),
        approvals: await ofRun(c, exec.id),
        flow: run.flow ?? null,
        children: run.children.map((c) => ({ id: c.id, flowId: c.flowId, parentStepId: c.parentStepId, status: c.status })),
      } satisfies ExecutionDetail);
    })
    .post('/executions/:id/cancel', async (c) => {
      await engine.cancel(c.req.param('id'), actorOf(c));
      return c.json(executionView((await readExecution(c.req.param('id')))!));
    })
    .post('/executions/:id/release', validOptionalJson(ReleaseSchema, 64 * 1024), async (c) => {
      const { comment } = c.req.valid('json');
      await engine.release(c.req.param('id'), actorOf(c), comment);
      return c.json(executionView((await readExecution(c.req.param('id')))!));
    })
    .get('/approvals', validQuery(ApprovalQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await engine.store.read(async (tx) => tx.approvals.list({ ...q, flowIds: await visibleFlowIds(c, tx, 'runs:read') }));
      return c.json({ items: await withContext(c, rows) } satisfies List<Approval>);
    })
    .get('/approvals/:id', async (c) => {
      const row = await readApproval(c.req.param('id'));
      if (!row) throw new NotFoundError(`approval "${c.req.param('id')}" not found`);
      return c.json((await withContext(c, [row]))[0]!);
    })
    .post('/approvals/:id', validJson(DecisionSchema, 64 * 1024), async (c) => {
      const body = c.req.valid('json');
      const id = c.req.param('id');
      // People deciding in the editor or with an API token must say which plan they saw; the
      // bootstrap admin token (scripts, the README's curl) may leave it out.
      const row = await readApproval(id);
      const principal = c.get('principal');
      if (row?.planHash && body.planHash === undefined && principal.kind !== 'admin-token') {
        throw new ValidationError('planHash is required', [{ path: ['planHash'], message: "send the approval's planHash: the plan you decide on" }]);
      }
      const { link, ...input } = body;
      if (link === undefined) await engine.decide(id, input, deciderOf(c));
      else await engine.decideWithLink(id, link, input, deciderOf(c));
      return c.json((await withContext(c, [(await readApproval(id))!]))[0]!);
    })
    .get('/approval-links/:token', async (c) => {
      const found = await engine.store.read((tx) => engine.links.stateOf(tx, c.req.param('token'), engine.now()));
      const approval = 'approval' in found && found.approval ? (await withContext(c, [found.approval]))[0]! : null;
      return c.json({
        state: found.state,
        executionId: found.claims.executionId,
        nodeId: found.claims.nodeId,
        expiresAt: new Date(found.claims.expiresAt).toISOString(),
        ...(found.state === 'used' ? { usedAt: new Date(found.usedAt).toISOString(), usedBy: found.usedBy } : {}),
        approval,
      } satisfies ApprovalLinkView);
    })
    .get('/events', validQuery(EventQuery), async (c) => {
      const q = c.req.valid('query');
      const { visible, rows } = await engine.store.read(async (tx) => {
        const visible = await visibleFlowIds(c, tx, 'events:read');
        return { visible, rows: await tx.events.list({ ...q, visibleFlowIds: visible }) };
      });
      const seen = visible && new Set(visible);
      return c.json({ items: rows.map((row) => eventView(row, seen)), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null } satisfies Page<EventSummary>);
    })
    .get('/events/:id', async (c) => {
      const found = await engine.store.read(async (tx) => {
        const row = await tx.events.get(c.req.param('id'));
        return row && { row, visible: await visibleFlowIds(c, tx, 'events:read'), executions: await tx.executions.forEvent(row.id) };
      });
      if (!found) throw new NotFoundError(`event "${c.req.param('id')}" not found`);
      const { row, visible } = found;
      const seen = visible && new Set(visible);
      const executions = found.executions.filter((e) => !seen || seen.has(e.flowId));
      return c.json(eventDetailView(row, executions.map(executionView), seen) satisfies EventDetail<Execution>);
    });
}
