import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { errorAnswer } from './errors.js';
import { deliverHook } from './hook-delivery.js';
import { readIncomingBody } from './raw-body.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * A plain hook path: one segment of unreserved characters (nothing to percent-decode), then
 * nothing or a query string, which routing ignores. Anything else (escapes, more segments, an
 * absolute URL) goes to Hono, whose hook route answers every path the same way.
 */
const PLAIN_HOOK_PATH = /^\/hooks\/([A-Za-z0-9._~-]+)(?:\?|$)/;

/** The rule of Hono's requestId middleware: an incoming id is kept when it is short and plain. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && given !== '' && given.length <= 255 && !/[^\w\-=]/.test(given) ? given : randomUUID();
}

/**
 * The webhook path of the HTTP server, ahead of Hono: `POST /hooks/<path>` is read straight from
 * Node's request and answered by the same rules as the Hono route (deliverHook) and the same
 * error mapping (errorAnswer), with the same request id and security headers. Why: building a
 * web Request and Response and running the middleware chain cost more CPU than ingesting the
 * alert (docs/performance.md). Hooks need nothing else of that chain: they are public (the
 * route table's `hook` permission), authenticated by their source, and never scrubbed as `/api`.
 * Every other request goes to `fallback` (Hono).
 */
export function hookListener(opts: { engine: Engine; bodyLimitBytes: number; log: Logger }, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const m = req.method === 'POST' ? PLAIN_HOOK_PATH.exec(req.url ?? '') : null;
    const path = m?.[1];
    if (!path || path === '.' || path === '..') {
      fallback(req, res);
      return;
    }
    void answerHook(opts, req, res, path);
  };
}

async function answerHook(opts: { engine: Engine; bodyLimitBytes: number; log: Logger }, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const started = performance.now();
  const requestId = requestIdOf(req);
  let status: number;
  let body: unknown;
  let headers: Record<string, string> = {};
  try {
    const answer = await deliverHook(opts.engine, opts.bodyLimitBytes, {
      path,
      headers: lowerCaseHeaders(req),
      ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
      requestId,
      readBody: (limitBytes) => readIncomingBody(req, limitBytes),
    });
    status = answer.status;
    body = answer.body;
  } catch (error) {
    const answer = errorAnswer(error, { requestId, path: `/hooks/${path}` }, opts.log);
    status = answer.status;
    body = answer.body;
    headers = answer.headers;
  }
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'X-Request-Id': requestId,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
  if (opts.log.isLevelEnabled('debug')) {
    opts.log.debug({ reqId: requestId, method: 'POST', path: `/hooks/${path}`, status, ms: Math.round(performance.now() - started) }, 'request');
  }
}

/**
 * The request's headers as the Fetch API (and so the Hono route) sees them: from the raw list,
 * names in lower case, a repeated header joined with ", ". Not `req.headers`, where Node keeps
 * only the first of some repeated headers (Authorization among them): both paths must judge a
 * delivery on the same values.
 */
function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${value}` : value;
  }
  return out;
}
