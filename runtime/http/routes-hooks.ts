import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { PayloadTooLargeError, UnavailableError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { readRawBody } from './raw-body.js';

/**
 * `POST /hooks/:path`: public, authenticated per flow by the source node's own rules. Answers
 * 202 only after the event and its executions are committed; overload and storage trouble are
 * 503 with Retry-After, because alert senders retry 5xx and drop 4xx. Every answer lands in the
 * event log, refusals rate-limited: ingest records most; the two refused before it (413, 503
 * while shutting down) are recorded here. A path with more segments (`/hooks/infra/alerts`,
 * `/hooks/infra/`) is no flow's path either: it gets the same 404, recorded the same way.
 */
export function hookRoutes(engine: Engine, bodyLimitBytes: number) {
  const deliver = async (c: Context, path: string) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const remoteAddress = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
    const unread = { headers, rawBody: new Uint8Array(0), ...(remoteAddress ? { remoteAddress } : {}) };
    if (!engine.isAdmitting) {
      const error = new UnavailableError('Salve is shutting down; retry shortly', 5);
      engine.recordUnreadDelivery(path, unread, error, c.get('requestId'));
      throw error;
    }
    // The media type is checked per source by ingest (SNS posts JSON as text/plain).
    let raw: Uint8Array;
    try {
      raw = await readRawBody(c, { limitBytes: bodyLimitBytes, anyMediaType: true });
    } catch (error) {
      // Too large (413): recorded without its body. A connection that broke mid-body is not a delivery.
      if (error instanceof PayloadTooLargeError) engine.recordUnreadDelivery(path, unread, error, c.get('requestId'));
      throw error;
    }
    const result = await engine.ingest(path, { ...unread, rawBody: raw }, c.get('requestId'));
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
  };
  return new Hono()
    .post('/:path', (c) => deliver(c, c.req.param('path')))
    .post('/*', (c) => deliver(c, c.req.path.replace(/^\/hooks\/?/, '')));
}
