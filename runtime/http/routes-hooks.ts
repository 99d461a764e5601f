import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import type { Engine } from '../engine/engine.js';
import { deliverHook } from './hook-delivery.js';
import { readRawBody } from './raw-body.js';

/**
 * `POST /hooks/:path` through Hono (deliverHook has the rules). On a running server the webhook
 * listener (hook-listener.ts) answers plain hook paths before Hono; this route answers the
 * rest (escaped or longer paths) and every in-process `app.request()`. A path with more
 * segments (`/hooks/infra/alerts`, `/hooks/infra/`) is no flow's path: it gets the same 404,
 * recorded the same way.
 */
export function hookRoutes(engine: Engine, bodyLimitBytes: number) {
  const deliver = async (c: Context, path: string) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const remoteAddress = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
    const answer = await deliverHook(engine, bodyLimitBytes, {
      path,
      headers,
      ...(remoteAddress ? { remoteAddress } : {}),
      requestId: c.get('requestId'),
      readBody: (limitBytes) => readRawBody(c, { limitBytes, anyMediaType: true }),
    });
    return c.json(answer.body, answer.status);
  };
  return new Hono()
    .post('/:path', (c) => deliver(c, c.req.param('path')))
    .post('/*', (c) => deliver(c, c.req.path.replace(/^\/hooks\/?/, '')));
}
