import { Hono } from 'hono';
import { CreateApiTokenSchema, type ApiTokenView } from '../../shared/people.js';
import type { ApiTokenService } from './api-tokens.js';
import { actorOf, type AuthEnv } from './auth.js';
import { validJson } from './validated.js';

/** `/api/tokens`: the caller's own API tokens (an admin: everyone's). The value is answered once, when made. */
export function tokenRoutes(tokens: ApiTokenService) {
  return new Hono<AuthEnv>()
    .get('/', async (c) => c.json({ items: (await tokens.list(c.get('principal'))) satisfies ApiTokenView[] }))
    .post('/', validJson(CreateApiTokenSchema, 4096), async (c) => c.json(await tokens.create(c.get('principal'), c.req.valid('json'), actorOf(c)), 201))
    .delete('/:id', async (c) => {
      await tokens.revoke(c.get('principal'), c.req.param('id'), actorOf(c));
      return c.body(null, 204);
    });
}
