import { Hono } from 'hono';
import { z } from 'zod';
import { validateFlow } from '../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../nodes/catalog.js';
import type { Engine } from '../engine/engine.js';
import { parseFlowOrThrow } from '../engine/flows/flow-service.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { BreakerView, FlowRevisionSummary, FlowRevisionView, FlowSummary, List, SimulateResult, StoredFlow } from '../../shared/api-views.js';
import type { Flow } from '../../shared/flow/schema.js';
import { actorOf, type AuthEnv } from './auth.js';
import { requirePermissionIn } from './authorize.js';
import { permissionsIn } from './roles.js';
import { visibleTeams } from './visibility.js';
import { TeamIdSchema } from '../../shared/people.js';
import { validJson, validOptionalJson, validQuery } from './validated.js';

const API_BODY_LIMIT = 4 * 1024 * 1024;

export const UpdateBodySchema = z.strictObject({
  revision: z.number({ error: 'revision is required: the revision you edited (from GET /api/flows/:id)' }).int().positive(),
  flow: z.unknown().refine((v) => v !== undefined, 'flow is required'),
});

/** `POST /api/flows/:id/breaker/reset` (the body may be left out). */
export const BreakerResetSchema = z.strictObject({
  comment: z.string().max(2000, 'comment must be at most 2000 characters').optional(),
});

export const RollbackBodySchema = z.strictObject({
  revision: z.number({ error: 'revision is required: the earlier revision to restore' }).int().positive(),
  expectedRevision: z
    .number({ error: 'expectedRevision is required: the current revision you are replacing (from GET /api/flows/:id)' })
    .int()
    .positive(),
});

/** `:revision` of `GET /api/flows/:id/revisions/:revision`: a revision number, refused (422, naming it) otherwise. */
function revisionParam(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new ValidationError('revision is invalid', [{ path: ['revision'], message: `must be a revision number (1, 2, …), found "${text}"` }]);
  }
  return Number(text);
}

export const SimulateBodySchema = z
  .strictObject({
    flow: z.unknown().optional(),
    flowId: z.string().optional(),
    source: z.string().min(1, 'source is required, e.g. "alertmanager"'),
    /** Which node of that type receives the payload, when the flow has several; default the first. */
    sourceNodeId: z.string().min(1).optional(),
    payload: z.unknown().refine((v) => v !== undefined, 'payload is required'),
  })
  .refine((b) => (b.flow === undefined) !== (b.flowId === undefined), {
    message: 'give either flow (a document) or flowId (a saved flow), not both',
    path: ['flow'],
  });

/**
 * `?team=<id>` of the routes that create flows: authorization reads and checks it (route table,
 * `team-query`); declared here too so the typed client can send it.
 */
const TeamQuerySchema = z.object({ team: TeamIdSchema.optional() });

/** `/api/flows`: create, read, update, delete, import, export, validate, simulate. */
export function flowRoutes(engine: Engine) {
  // Flow documents are validated by the flow service, which reports problems at their path.
  const anyJson = validJson(z.unknown(), API_BODY_LIMIT);

  return new Hono<AuthEnv>()
    .get('/', async (c) => c.json({ items: await engine.flows.list(visibleTeams(c, 'flows:read')) } satisfies List<FlowSummary>))
    // The team was chosen and checked by authorization (`?team=`).
    .post('/', validQuery(TeamQuerySchema), anyJson, async (c) => c.json((await engine.flows.create(c.req.valid('json'), actorOf(c), c.get('team'))) satisfies StoredFlow, 201))
    .post('/import', validQuery(TeamQuerySchema), anyJson, async (c) => {
      const principal = c.get('principal');
      // New flows land in the chosen team; a flow that exists already stays in its team, which the caller must be able to write.
      const mayChange = (team: string) => permissionsIn(principal, team).has('flows:write');
      const items = await engine.flows.import(c.req.valid('json'), actorOf(c), { teamId: c.get('team'), mayChange });
      return c.json({ items } satisfies List<StoredFlow>);
    })
    .post('/validate', anyJson, (c) => {
      const result = validateFlow(c.req.valid('json'), lookupNodeSpec);
      return c.json(result.ok ? { valid: true as const, issues: [], flow: result.flow } : { valid: false as const, issues: result.issues });
    })
    .post('/simulate', validJson(SimulateBodySchema, API_BODY_LIMIT), async (c) => {
      const body = c.req.valid('json');
      // A saved flow is read only by those who may read it (the route itself needs flows:read anywhere).
      const flowId = body.flowId;
      if (flowId) requirePermissionIn(c.get('principal'), 'flows:read', await engine.store.read((tx) => tx.teams.ofFlow(flowId)), 'simulating a saved flow');
      const flow = body.flowId ? (await engine.flows.get(body.flowId)).flow : parseFlowOrThrow(body.flow, ['flow']);
      return c.json({ flowId: flow.id, alerts: await engine.simulate(flow, body.source, body.payload, body.sourceNodeId) } satisfies SimulateResult);
    })
    .get('/:id', async (c) => c.json((await engine.flows.get(c.req.param('id'))) satisfies StoredFlow))
    .get('/:id/revisions', async (c) => c.json({ items: await engine.flows.revisions(c.req.param('id')) } satisfies List<FlowRevisionSummary>))
    .get('/:id/revisions/:revision', async (c) =>
      c.json((await engine.flows.revision(c.req.param('id'), revisionParam(c.req.param('revision')))) satisfies FlowRevisionView),
    )
    .post('/:id/rollback', validJson(RollbackBodySchema, API_BODY_LIMIT), async (c) => {
      const body = c.req.valid('json');
      return c.json((await engine.flows.rollback(c.req.param('id'), body.revision, body.expectedRevision, actorOf(c))) satisfies StoredFlow);
    })
    .get('/:id/export', async (c) => {
      const { flow } = await engine.flows.get(c.req.param('id'));
      c.header('Content-Disposition', `attachment; filename="${flow.id}.json"`);
      return c.json(flow satisfies Flow);
    })
    .put('/:id', validJson(UpdateBodySchema, API_BODY_LIMIT), async (c) => {
      const body = c.req.valid('json');
      return c.json((await engine.flows.update(c.req.param('id'), body.flow, body.revision, actorOf(c))) satisfies StoredFlow);
    })
    .post('/:id/enable', async (c) => c.json((await engine.flows.setEnabled(c.req.param('id'), true, actorOf(c))) satisfies StoredFlow))
    .post('/:id/disable', async (c) => c.json((await engine.flows.setEnabled(c.req.param('id'), false, actorOf(c))) satisfies StoredFlow))
    .get('/:id/breaker', async (c) => c.json((await engine.breaker(c.req.param('id'))) satisfies BreakerView))
    .post('/:id/breaker/reset', validOptionalJson(BreakerResetSchema, API_BODY_LIMIT), async (c) =>
      c.json((await engine.resetBreaker(c.req.param('id'), actorOf(c), c.req.valid('json').comment)) satisfies BreakerView),
    )
    .delete('/:id', async (c) => {
      await engine.flows.delete(c.req.param('id'), actorOf(c));
      return c.body(null, 204);
    })
    .all('*', () => {
      throw new NotFoundError('no such flow route');
    });
}
