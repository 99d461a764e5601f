import type { Context, Env, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTP_STATUS, SalveError, TooManyRequestsError, UnavailableError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import { storageErrorKind } from '../store/retry.js';

/** Error codes as HTTP statuses: the one table, shared/errors.ts HTTP_STATUS. */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = HTTP_STATUS;

/** An error as an HTTP answer: status, extra headers and the JSON body. */
export interface ErrorAnswer {
  status: ContentfulStatusCode;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; details?: unknown } };
}

/**
 * Turns any thrown value into the JSON error answer; unknown errors are a bare 500. The one
 * mapping both HTTP front ends use (Hono's onError and the webhook listener, hook-listener.ts).
 */
export function errorAnswer(err: unknown, request: { requestId?: string; path: string }, log?: Logger): ErrorAnswer {
  if (err instanceof SalveError) {
    const headers: Record<string, string> = {};
    if (err instanceof UnavailableError || err instanceof TooManyRequestsError) headers['Retry-After'] = String(err.retryAfterSeconds);
    if (err.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer';
    const body: ErrorAnswer['body']['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { status: STATUS[err.code], headers, body: { error: body } };
  }
  // Storage is busy (locked by another process), full, failing or corrupt: the sender retries later.
  const storage = storageErrorKind(err);
  if (storage !== 'other') {
    // A lock is reported once per episode by the store; every request refused during it is not.
    if (storage !== 'busy') log?.error({ err, reqId: request.requestId }, 'storage unavailable');
    return { status: 503, headers: { 'Retry-After': '5' }, body: { error: { code: 'unavailable', message: 'storage is busy or full; retry later' } } };
  }
  log?.error({ err, reqId: request.requestId, path: request.path }, 'unhandled error');
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: 'internal error' } } };
}

function errorResponse(c: Context, err: unknown, log?: Logger): Response {
  const answer = errorAnswer(err, { requestId: c.get('requestId'), path: c.req.path }, log);
  for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
  return c.json(answer.body, answer.status);
}

/** Installs JSON error and not-found handlers on `app`. */
export function installErrorHandling<E extends Env>(app: Hono<E>, log: Logger): void {
  app.onError((err, c) => errorResponse(c, err, log));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
}
