import type { IncomingHttpHeaders } from 'node:http';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { httpAction, type HttpActionConfig } from './definition.js';
import { RequestFailure, sendRequest } from './request.js';

/** What an `action.http` step records as its output. */
export interface HttpOutput {
  status: number;
  /** Only the headers worth keeping: content-type (and location, since redirects are not followed). */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON and is complete; otherwise text. */
  body: unknown;
  truncated: boolean;
  durationMs: number;
}

const KEPT_HEADERS = ['content-type', 'location'] as const;

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function decodeBody(raw: Buffer, contentType: string | undefined, truncated: boolean): unknown {
  const text = raw.toString('utf8');
  if (truncated || !contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const hasHeader = (headers: Record<string, string>, name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);

/** Request headers: the configured ones plus the idempotency key, a user agent and a content type. */
function requestHeaders(config: HttpActionConfig, idempotencyKey: string, hasBody: boolean): Record<string, string> {
  // Secret references were resolved to strings by the engine before the step runs.
  const headers: Record<string, string> = { ...(config.headers as Record<string, string>) };
  headers['Idempotency-Key'] = idempotencyKey;
  if (!hasHeader(headers, 'user-agent')) headers['User-Agent'] = 'salve';
  if (hasBody && !hasHeader(headers, 'content-type')) {
    headers['Content-Type'] = config.bodyType === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
  }
  return headers;
}

function encodeBody(config: HttpActionConfig): Buffer | undefined {
  if (config.body === undefined) return undefined;
  const text = config.bodyType === 'text' ? String(config.body) : JSON.stringify(config.body);
  return Buffer.from(text, 'utf8');
}

function statusExpected(status: number, expect: number[] | undefined): boolean {
  return expect ? expect.includes(status) : status >= 200 && status < 300;
}

/** Parses the rendered URL; only http and https are allowed. */
function parseUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `url is not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url must use http or https, not ${url.protocol.slice(0, -1)}`;
  return url;
}

/**
 * Runs `action.http`: one request, no redirects followed, bounded in time and response size.
 * A status outside `expectStatus` (default 2xx), a network error or a timeout goes to `error`.
 */
export const executeHttpAction = defineExecutor(httpAction, async (config, ctx): Promise<StepOutcome> => {
  const url = parseUrl(config.url);
  if (typeof url === 'string') return { type: 'fail', port: 'error', error: url, output: { status: null, error: url } };
  const body = encodeBody(config);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await sendRequest({
      method: config.method,
      url,
      headers: requestHeaders(config, ctx.idempotencyKey, body !== undefined),
      body,
      timeoutMs: config.timeoutSeconds * 1000,
      signal: ctx.signal,
    });
    const output: HttpOutput = {
      status: res.status,
      headers: keptHeaders(res.headers),
      body: decodeBody(res.body, res.headers['content-type'], res.truncated),
      truncated: res.truncated,
      durationMs: elapsed(),
    };
    if (statusExpected(res.status, config.expectStatus)) return { type: 'next', port: 'ok', output };
    const wanted = config.expectStatus ? config.expectStatus.join(' or ') : '2xx';
    return { type: 'fail', port: 'error', output, error: `expected ${wanted}, got ${res.status}` };
  } catch (error) {
    if (!(error instanceof RequestFailure)) throw error;
    return { type: 'fail', port: 'error', error: error.message, output: { status: null, error: error.message, durationMs: elapsed() } };
  }
});
