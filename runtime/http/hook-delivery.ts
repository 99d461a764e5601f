import { PayloadTooLargeError, UnavailableError } from '../../shared/errors.js';
import type { HandshakeResult } from '../../nodes/source-adapter.js';
import type { Engine } from '../engine/engine.js';

/** One webhook request as both HTTP front ends hand it over (the Hono route and the fast listener). */
export interface HookRequest {
  /** The hook path after `/hooks/`. */
  path: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  remoteAddress?: string;
  requestId: string;
  /** Reads the body: PayloadTooLargeError past the limit, BadRequestError when the connection breaks. */
  readBody(limitBytes: number): Promise<Uint8Array>;
}

/** The answer: 202, or a source's handshake answer; refusals are thrown (SalveError) and answered by errors.ts. */
export interface HookAnswer {
  status: 202 | HandshakeResult['status'];
  body: unknown;
}

/**
 * `POST /hooks/:path`: public, authenticated per flow by the source node's own rules. Answers
 * 202 only after the event and its executions are committed; overload and storage trouble are
 * 503 with Retry-After, because alert senders retry 5xx and drop 4xx. Every answer lands in the
 * event log, refusals rate-limited: ingest records most; the two refused before it (413, 503
 * while shutting down) are recorded here.
 */
export async function deliverHook(engine: Engine, bodyLimitBytes: number, request: HookRequest): Promise<HookAnswer> {
  const { path, headers, remoteAddress, requestId } = request;
  const unread = { headers, rawBody: new Uint8Array(0), ...(remoteAddress ? { remoteAddress } : {}) };
  if (!engine.isAdmitting) {
    const error = new UnavailableError('Salve is shutting down; retry shortly', 5);
    engine.recordUnreadDelivery(path, unread, error, requestId);
    throw error;
  }
  // The media type is checked per source by ingest (SNS posts JSON as text/plain).
  let raw: Uint8Array;
  try {
    raw = await request.readBody(bodyLimitBytes);
  } catch (error) {
    // Too large (413): recorded without its body. A connection that broke mid-body is not a delivery.
    if (error instanceof PayloadTooLargeError) engine.recordUnreadDelivery(path, unread, error, requestId);
    throw error;
  }
  const result = await engine.ingest(path, { ...unread, rawBody: raw }, requestId);
  if (result.handshake) return { status: result.handshake.status, body: { message: result.handshake.message } };
  return {
    status: 202,
    body: { eventId: result.eventId, alerts: result.alerts, executions: result.executions.map((e) => e.id), duplicates: result.duplicates },
  };
}
