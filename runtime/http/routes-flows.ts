import { Hono } from 'hono';
import { z } from 'zod';
import { validateFlow } from '../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../nodes/catalog.js';
import type { Engine } from '../engine/engine.js';
import { parseFlowOrThrow } from '../engine/flows/flow-service.js';
import { simulateFlow } from '../engine/flows/simulate.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseBody } from './query.js';
import { readJsonBody } from './raw-body.js';

const API_BODY_LIMIT = 4 * 1024 * 1024;

const UpdateBodySchema = z.strictObject({
  revision: z.number({ error: 'revision is required: the revision you edited (from GET /api/flows/:id)' }).int().positive(),
  flow: z.unknown().refine((v) => v !== undefined, 'flow is required'),
});

const SimulateBodySchema = z
  .strictObject({
    flow: z.unknown().optional(),
    flowId: z.string().optional(),
    source: z.string().min(1, 'source is required, e.g. "alertmanager"'),
    payload: z.unknown().refine((v) => v !== undefined, 'payload is required'),
  })
  .refine((b) => (b.flow === undefined) !== (b.flowId === undefined), {
    message: 'give either flow (a document) or flowId (a saved flow), not both',
    path: ['flow'],
  });

/** `/api/flows`: create, read, update, delete, import, export, validate, simulate. */
export function flowRoutes(engine: Engine, actor = 'admin'): Hono {
  const app = new Hono();
  const json = (c: Parameters<typeof readJsonBody>[0]) => readJsonBody(c, { limitBytes: API_BODY_LIMIT }).then((b) => b.json);

  app.get('/', (c) => c.json({ items: engine.flows.list() }));

  app.post('/', async (c) => c.json(await engine.flows.create(await json(c), actor), 201));

  app.post('/import', async (c) => c.json({ items: await engine.flows.import(await json(c), actor) }));

  app.post('/validate', async (c) => {
    const result = validateFlow(await json(c), lookupNodeSpec);
    return c.json(result.ok ? { valid: true, issues: [], flow: result.flow } : { valid: false, issues: result.issues });
  });

  app.post('/simulate', async (c) => {
    const body = parseBody(await json(c), SimulateBodySchema);
    const flow = body.flowId ? engine.flows.get(body.flowId).flow : parseFlowOrThrow(body.flow, ['flow']);
    return c.json({ flowId: flow.id, alerts: await simulateFlow(flow, body.source, body.payload) });
  });

  app.get('/:id', (c) => c.json(engine.flows.get(c.req.param('id'))));

  app.get('/:id/export', (c) => {
    const { flow } = engine.flows.get(c.req.param('id'));
    c.header('Content-Disposition', `attachment; filename="${flow.id}.json"`);
    return c.json(flow);
  });

  app.put('/:id', async (c) => {
    const body = parseBody(await json(c), UpdateBodySchema);
    return c.json(await engine.flows.update(c.req.param('id'), body.flow, body.revision, actor));
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const current = engine.flows.get(c.req.param('id'));
      return c.json(await engine.flows.update(current.flow.id, { ...current.flow, enabled }, current.revision, actor));
    });
  }

  app.delete('/:id', async (c) => {
    await engine.flows.delete(c.req.param('id'), actor);
    return c.body(null, 204);
  });

  app.all('*', () => {
    throw new NotFoundError('no such flow route');
  });
  return app;
}
