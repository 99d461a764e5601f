import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { NetworkAccess } from './network.js';

/** Most response body bytes kept; the rest is not read. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpRequestSpec {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** Time left for this request (the step's timeout covers every redirect hop). */
  timeoutMs: number;
  /** The step's whole timeout, for the message. */
  timeoutSeconds: number;
  signal: AbortSignal;
  /** Answers only with addresses the destination policy checked (CheckedDestination.lookup). */
  lookup: LookupFunction;
  /** https only: whom to trust and the client certificate (a Kubernetes API server's). */
  tls?: TlsOptions;
}

/** TLS settings for one request: a private CA to trust, a client certificate, the name to verify. */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The name the server's certificate must carry, when not the URL's host. */
  servername?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

/** The request could not complete: network error, timeout or cancellation. */
export class RequestFailure extends Error {}

/** Fails with RequestFailure(`message`) when `work` does not settle within `ms` (DNS cannot be cancelled). */
export function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestFailure(message)), Math.max(0, ms));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `method http://host/path` without credentials or query string, safe to show in messages. */
export function describeTarget(method: string, url: URL): string {
  return `${method} ${place(url)}`;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.message) return reason.message;
  return 'aborted';
}

/**
 * Sends one request and reads the response, never following redirects. One timer covers
 * connecting, the headers and the body; the body is cut at `MAX_RESPONSE_BYTES` (then
 * `truncated`). Rejects with RequestFailure on network errors, timeout or `signal`.
 */
export function sendRequest(spec: HttpRequestSpec): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = describeTarget(spec.method, spec.url);
    let settled = false;
    let req: http.ClientRequest | undefined;
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (message: string) =>
      finish(() => {
        req?.destroy();
        reject(new RequestFailure(message));
      });
    const timer = setTimeout(() => fail(`${target} timed out after ${spec.timeoutSeconds} s`), Math.max(0, spec.timeoutMs));
    const onAbort = () => fail(`${target} was cancelled (${abortReason(spec.signal)})`);
    if (spec.signal.aborted) return onAbort();
    spec.signal.addEventListener('abort', onAbort, { once: true });

    const client = spec.url.protocol === 'https:' ? https : http;
    try {
      // No shared agent: each attempt gets a fresh connection that ends with the step.
      // A body's length is always given: Node sends a DELETE's body only then (not chunked).
      const headers = spec.body ? { ...spec.headers, 'Content-Length': String(spec.body.length) } : spec.headers;
      req = client.request(spec.url, { ...spec.tls, method: spec.method, headers, agent: false, lookup: spec.lookup });
    } catch (error) {
      // e.g. a rendered header value with a newline; Node names the header, not its value.
      return fail(`${target} could not be sent: ${(error as Error).message}`);
    }
    req.on('error', (error) => fail(`${target} failed: ${error.message}`));
    req.on('response', (res) => {
      const done = (truncated: boolean) =>
        finish(() => {
          if (truncated) res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size), truncated });
        });
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > MAX_RESPONSE_BYTES) {
          const room = MAX_RESPONSE_BYTES - size;
          chunks.push(chunk.subarray(0, room));
          size += room;
          done(true);
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => done(false));
      res.on('error', (error) => fail(`${target} failed while reading the response: ${error.message}`));
      res.on('close', () => {
        if (!res.complete) fail(`${target} failed: the connection closed before the response was complete`);
      });
    });
    req.end(spec.body);
  });
}

/**
 * One request through the destination policy: resolves and checks the host, then sends only to
 * the checked addresses, all of it within `timeoutSeconds`. Rejects with RequestFailure,
 * DestinationRefused or ResolveFailed (messages name the target).
 */
export async function requestChecked(
  ctx: { network: NetworkAccess; signal: AbortSignal },
  request: { method: string; url: URL; headers: Record<string, string>; body?: Buffer; timeoutSeconds: number; tls?: TlsOptions; secrets?: readonly string[] },
): Promise<RawResponse> {
  const started = performance.now();
  const timeoutMs = request.timeoutSeconds * 1000;
  const { url } = request;
  const dest = await within(
    ctx.network.resolve({ host: url.hostname, port: portOf(url), display: place(url), ...(request.secrets ? { secrets: request.secrets } : {}) }, ctx.signal),
    timeoutMs,
    `${describeTarget(request.method, url)} timed out after ${request.timeoutSeconds} s`,
  );
  return sendRequest({
    method: request.method,
    url,
    headers: request.headers,
    ...(request.body ? { body: request.body } : {}),
    ...(request.tls ? { tls: request.tls } : {}),
    timeoutMs: timeoutMs - Math.round(performance.now() - started),
    timeoutSeconds: request.timeoutSeconds,
    signal: ctx.signal,
    lookup: dest.lookup,
  });
}

/** A probe's one GET or HEAD through the destination policy (requestChecked without a body). */
export function probeChecked(
  ctx: { network: NetworkAccess; signal: AbortSignal },
  probe: { method: 'GET' | 'HEAD'; url: URL; headers: Record<string, string>; timeoutSeconds: number },
): Promise<RawResponse> {
  return requestChecked(ctx, probe);
}

/** `origin + path`: where a request went, without credentials or query string. */
export function place(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The port a request to `url` connects to. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Parses a rendered URL; only http and https are allowed. A string says why it cannot be used. */
export function parseHttpUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `url is not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url must use http or https, not ${url.protocol.slice(0, -1)}`;
  return url;
}

/** A response body as a step records it: parsed JSON when it says it is JSON and is complete, otherwise text. */
export function decodeBody(raw: Buffer, contentType: string | undefined, truncated: boolean): unknown {
  const text = raw.toString('utf8');
  if (truncated || !contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
