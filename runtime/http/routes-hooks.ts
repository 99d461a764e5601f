import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { UnavailableError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { readRawBody } from './raw-body.js';

/**
 * `POST /hooks/:path`: public, authenticated per flow by the source node's own rules. Answers
 * 202 only after the event and its executions are committed; overload and storage trouble are
 * 503 with Retry-After, because alert senders retry 5xx and drop 4xx.
 */
export function hookRoutes(engine: Engine, bodyLimitBytes: number) {
  return new Hono().post('/:path', async (c) => {
    if (!engine.isAdmitting) throw new UnavailableError('Salve is shutting down; retry shortly', 5);
    // The media type is checked per source by ingest (SNS posts JSON as text/plain).
    const raw = await readRawBody(c, { limitBytes: bodyLimitBytes, anyMediaType: true });
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const remoteAddress = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
    const result = await engine.ingest(c.req.param('path'), { headers, rawBody: raw, ...(remoteAddress ? { remoteAddress } : {}) }, c.get('requestId'));
    if (result.handshake) return c.json({ message: result.handshake.message }, result.handshake.status);
    return c.json(
      {
        eventId: result.eventId,
        alerts: result.alerts,
        executions: result.executions.map((e) => e.id),
        duplicates: result.duplicates,
      },
      202,
    );
  });
}
