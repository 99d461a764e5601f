import type { Context, Env, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTP_STATUS, SalveError, TooManyRequestsError, UnavailableError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../log.js';
import { storageErrorKind } from '../store/retry.js';

/** Error codes as HTTP statuses: the one table, shared/errors.ts HTTP_STATUS. */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = HTTP_STATUS;

/** Turns any thrown value into the JSON error response; unknown errors are a bare 500. */
function errorResponse(c: Context, err: unknown, log?: Logger): Response {
  if (err instanceof SalveError) {
    if (err instanceof UnavailableError || err instanceof TooManyRequestsError) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
    const body: { code: string; message: string; details?: unknown } = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return c.json({ error: body }, STATUS[err.code]);
  }
  // Storage is busy (locked by another process), full, failing or corrupt: the sender retries later.
  const storage = storageErrorKind(err);
  if (storage !== 'other') {
    // A lock is reported once per episode by the store; every request refused during it is not.
    if (storage !== 'busy') log?.error({ err, reqId: c.get('requestId') }, 'storage unavailable');
    c.header('Retry-After', '5');
    return c.json({ error: { code: 'unavailable', message: 'storage is busy or full; retry later' } }, 503);
  }
  log?.error({ err, reqId: c.get('requestId'), path: c.req.path }, 'unhandled error');
  return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
}

/** Installs JSON error and not-found handlers on `app`. */
export function installErrorHandling<E extends Env>(app: Hono<E>, log: Logger): void {
  app.onError((err, c) => errorResponse(c, err, log));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
}
