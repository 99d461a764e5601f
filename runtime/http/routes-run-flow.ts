import { Hono } from 'hono';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { ManualRunStarted } from '../../shared/api-views.js';
import { actorOf } from './auth.js';
import { validJson } from './validated.js';

/** A run's body: the payload (256 KiB at most, as for webhooks) and which manual node starts it. */
const RUN_BODY_LIMIT = 256 * 1024;

export const RunBodySchema = z.strictObject({
  payload: z.unknown().refine((v) => v !== undefined, 'payload is required: a JSON object, {} for none'),
  sourceNodeId: z.string({ error: 'sourceNodeId must be the id of a source.manual node' }).min(1).max(64).optional(),
});

/** `POST /api/flows/:id/run`: runs a flow by hand from its `source.manual` node (see docs/api.md). */
export function runFlowRoutes(engine: Engine) {
  return new Hono().post('/:id/run', validJson(RunBodySchema, RUN_BODY_LIMIT), async (c) => {
    const body = c.req.valid('json');
    const run = await engine.runManually(c.req.param('id'), { payload: body.payload, sourceNodeId: body.sourceNodeId }, actorOf(c));
    return c.json(run satisfies ManualRunStarted, 202);
  });
}
