import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.js';

/**
 * One `debug` line per request once it is answered: its id (`reqId`, as in the X-Request-Id
 * answer header), method, path (without the query string, which may carry credentials), status
 * and duration. At the default level (`info`) it costs one level check.
 */
export function accessLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    if (!log.isLevelEnabled('debug')) return next();
    const started = performance.now();
    await next();
    const ms = Math.round(performance.now() - started);
    log.debug({ reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  };
}
