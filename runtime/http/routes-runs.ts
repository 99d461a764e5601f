import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import type { SqliteStore } from '../store/db.js';
import { approvalsRepo } from '../store/approvals-repo.js';
import { eventsRepo } from '../store/events-repo.js';
import { executionsRepo } from '../store/executions-repo.js';
import { APPROVAL_STATUSES, EXECUTION_STATUSES } from '../store/schema.js';
import { stepsRepo } from '../store/steps-repo.js';
import { parseBody, parseQuery } from './query.js';
import { readJsonBody } from './raw-body.js';
import { approvalView, eventView, executionView, stepView } from './views.js';

const limit = z.coerce.number().int().min(1).max(200).default(50);

const ExecutionQuery = z.strictObject({
  flowId: z.string().optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  limit,
  before: z.string().optional(),
});

const ApprovalQuery = z.strictObject({ status: z.enum(APPROVAL_STATUSES).optional(), limit });

const DecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'decision must be "approve" or "reject"' }),
  comment: z.string().max(2000).optional(),
});

const EventQuery = z.strictObject({ limit, before: z.string().optional() });

/** `/api/executions`, `/api/approvals` and `/api/events`. */
export function runRoutes(engine: Engine, store: SqliteStore, actor = 'admin'): Hono {
  const app = new Hono();
  const db = store.db;

  app.get('/executions', (c) => {
    const q = parseQuery(c, ExecutionQuery);
    const rows = executionsRepo.list(db, q);
    return c.json({ items: rows.map(executionView), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null });
  });

  app.get('/executions/:id', (c) => {
    const exec = executionsRepo.get(db, c.req.param('id'));
    if (!exec) throw new NotFoundError(`execution "${c.req.param('id')}" not found`);
    return c.json({
      ...executionView(exec),
      steps: stepsRepo.forExecution(db, exec.id).map(stepView),
      approvals: approvalsRepo.list(db, { executionId: exec.id, limit: 200 }).map((a) => approvalView(a)),
      flow: engine.flowAt(exec.flowId, exec.flowRevision) ?? null,
    });
  });

  app.post('/executions/:id/cancel', async (c) => {
    await engine.cancel(c.req.param('id'), actor);
    return c.json(executionView(executionsRepo.get(db, c.req.param('id'))!));
  });

  app.get('/approvals', (c) => {
    const q = parseQuery(c, ApprovalQuery);
    const rows = approvalsRepo.list(db, q);
    return c.json({ items: rows.map((a) => approvalView(a, executionsRepo.get(db, a.executionId))) });
  });

  app.get('/approvals/:id', (c) => {
    const row = approvalsRepo.get(db, c.req.param('id'));
    if (!row) throw new NotFoundError(`approval "${c.req.param('id')}" not found`);
    return c.json(approvalView(row, executionsRepo.get(db, row.executionId)));
  });

  app.post('/approvals/:id', async (c) => {
    const body = parseBody((await readJsonBody(c, { limitBytes: 64 * 1024 })).json, DecisionSchema);
    await engine.decide(c.req.param('id'), body.decision, body.comment, actor);
    const row = approvalsRepo.get(db, c.req.param('id'))!;
    return c.json(approvalView(row, executionsRepo.get(db, row.executionId)));
  });

  app.get('/events', (c) => {
    const q = parseQuery(c, EventQuery);
    const rows = eventsRepo.list(db, q);
    return c.json({ items: rows.map(eventView), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null });
  });

  app.get('/events/:id', (c) => {
    const row = eventsRepo.get(db, c.req.param('id'));
    if (!row) throw new NotFoundError(`event "${c.req.param('id')}" not found`);
    return c.json({
      ...eventView(row),
      body: row.body,
      executions: executionsRepo.forEvent(db, row.id).map(executionView),
    });
  });

  return app;
}
