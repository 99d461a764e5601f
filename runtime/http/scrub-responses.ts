import type { MiddlewareHandler } from 'hono';
import type { Scrubber } from '../engine/secrets/scrub.js';

/**
 * Scrubs every known secret from JSON responses: the last line of defence behind the scrubbing
 * of step outcomes before they are stored. It covers what no step produced: a delivery's body
 * in the event log, a simulation's result, an error message.
 */
export function scrubJsonResponses(scrubber: Scrubber): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (scrubber.empty || !(c.res.headers.get('content-type') ?? '').includes('application/json') || !c.res.body) return;
    const text = await c.res.text();
    const { status, headers } = c.res;
    c.res = undefined; // the body was read: replace the response instead of merging into it
    c.res = new Response(scrubber.json(text), { status, headers });
    c.res.headers.delete('content-length');
  };
}
