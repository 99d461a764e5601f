import type { IncomingHttpHeaders } from 'node:http';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { DestinationRefused, ResolveFailed, type CheckedDestination } from '../../network.js';
import { httpAction, MAX_REDIRECTS, type HttpActionConfig } from './definition.js';
import type { DroppedHeader, HttpOutput, HttpResponseOutput } from './output.js';
import { dropHeader, isRedirect, nextHop, secretHeader, type Hop } from './redirects.js';
import { decodeBody, describeTarget, parseHttpUrl, place, portOf, RequestFailure, sendRequest, within } from '../../http-request.js';

const KEPT_HEADERS = ['content-type', 'location'] as const;

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

const hasHeader = (headers: Record<string, string>, name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);

/** Request headers: the configured ones plus the idempotency key, a user agent and a content type. */
function requestHeaders(config: Resolved<HttpActionConfig>, idempotencyKey: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { ...config.headers };
  headers['Idempotency-Key'] = idempotencyKey;
  if (!hasHeader(headers, 'user-agent')) headers['User-Agent'] = 'salve';
  if (hasBody && !hasHeader(headers, 'content-type')) {
    headers['Content-Type'] = config.bodyType === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
  }
  return headers;
}

function encodeBody(config: Resolved<HttpActionConfig>): Buffer | undefined {
  if (config.body === undefined) return undefined;
  const text = config.bodyType === 'text' ? String(config.body) : JSON.stringify(config.body);
  return Buffer.from(text, 'utf8');
}

function statusExpected(status: number, expect: number[] | undefined): boolean {
  return expect ? expect.includes(status) : status >= 200 && status < 300;
}

/**
 * Resolves and checks the hop's destination, then drops what may not go there: headers whose
 * secret's host list does not allow it (reported in `dropped`). A secret in the body that may
 * not go there stops the step instead. The first hop is checked for every secret of the step:
 * a refusal there fails the step before anything connects.
 */
async function checkHop(hop: Hop, first: boolean, ctx: ExecContext, msLeft: number, timeoutSeconds: number, dropped: DroppedHeader[]): Promise<CheckedDestination> {
  const target = describeTarget(hop.method, hop.url);
  const dest = await within(
    ctx.network.resolve({ host: hop.url.hostname, port: portOf(hop.url), display: place(hop.url), ...(first ? {} : { secrets: [] }) }, ctx.signal),
    msLeft,
    `${target} timed out after ${timeoutSeconds} s`,
  );
  if (first) return dest;
  const refused = dest.refusedSecrets(hop.secrets.map((s) => s.name));
  for (const refusal of refused) {
    for (const use of hop.secrets.filter((s) => s.name === refusal.name)) {
      const header = secretHeader(use);
      if (header === undefined) throw new DestinationRefused(`${refusal.message}; not following the redirect`, 'secret');
      if (dropHeader(hop.headers, header)) dropped.push({ header, to: place(hop.url), reason: refusal.message });
    }
  }
  const refusedNames = new Set(refused.map((r) => r.name));
  hop.secrets = hop.secrets.filter((s) => !refusedNames.has(s.name));
  return dest;
}

/**
 * Runs `action.http`: one request (plus up to MAX_REDIRECTS hops when `followRedirects`),
 * bounded in time and response size. Every connection goes through `ctx.network`: the
 * destination policy and the secrets' host lists are checked before anything is sent.
 * A status outside `expectStatus` (default 2xx), a refusal, a network error or a timeout goes to `error`.
 */
export const executeHttpAction = defineExecutor(httpAction, async (config, ctx): Promise<StepOutcome<HttpOutput>> => {
  const url = parseHttpUrl(config.url);
  if (typeof url === 'string') return { type: 'fail', port: 'error', error: url, output: { status: null, error: url } };
  const body = encodeBody(config);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = config.timeoutSeconds * 1000;
  const redirects: { status: number; to: string }[] = [];
  const dropped: DroppedHeader[] = [];
  const extra = () => (config.followRedirects === true ? { redirects, droppedHeaders: dropped } : {});
  const failed = (message: string) =>
    ({ type: 'fail', port: 'error', error: message, output: { status: null, error: message, durationMs: elapsed(), ...extra() } }) as const;

  let hop: Hop = { method: config.method, url, headers: requestHeaders(config, ctx.idempotencyKey, body !== undefined), body, secrets: [...ctx.secrets] };
  try {
    for (;;) {
      const dest = await checkHop(hop, redirects.length === 0, ctx, timeoutMs - elapsed(), config.timeoutSeconds, dropped);
      const res = await sendRequest({
        method: hop.method,
        url: hop.url,
        headers: hop.headers,
        body: hop.body,
        timeoutMs: timeoutMs - elapsed(),
        timeoutSeconds: config.timeoutSeconds,
        signal: ctx.signal,
        lookup: dest.lookup,
      });
      const location = res.headers.location;
      if (config.followRedirects === true && isRedirect(res.status) && typeof location === 'string') {
        if (redirects.length >= MAX_REDIRECTS) return failed(`${describeTarget(hop.method, hop.url)}: stopped after ${MAX_REDIRECTS} redirects`);
        const next = nextHop(hop, res.status, location, dropped);
        if (typeof next === 'string') return failed(next);
        redirects.push({ status: res.status, to: place(next.url) });
        hop = next;
        continue;
      }
      const output: HttpResponseOutput = {
        status: res.status,
        headers: keptHeaders(res.headers),
        body: decodeBody(res.body, res.headers['content-type'], res.truncated),
        truncated: res.truncated,
        durationMs: elapsed(),
        ...extra(),
      };
      if (statusExpected(res.status, config.expectStatus)) return { type: 'next', port: 'ok', output };
      const wanted = config.expectStatus ? config.expectStatus.join(' or ') : '2xx';
      return { type: 'fail', port: 'error', output, error: `expected ${wanted}, got ${res.status}` };
    }
  } catch (error) {
    if (error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed) return failed(error.message);
    throw error;
  }
});
