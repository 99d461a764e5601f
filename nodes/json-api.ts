import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { truncate } from '../shared/text.js';
import { describeTarget, MAX_RESPONSE_BYTES, RequestFailure, requestChecked } from './http-request.js';
import { DestinationRefused, ResolveFailed, type NetworkAccess } from './network.js';

/**
 * One call to a service's JSON API (Alertmanager, PagerDuty REST, Grafana, Jira…) through the
 * destination policy, as the "close the loop" nodes make them: a JSON body out, a JSON answer
 * back, bounded in size and time. Whether the status is a success is the caller's to judge: each
 * vendor words its refusals differently.
 */

export interface JsonCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  /** Extra headers (authorization); Content-Type and Accept are set here. */
  headers: Record<string, string>;
  /** Sent as JSON when given. */
  body?: unknown;
  timeoutSeconds: number;
}

export interface JsonAnswer {
  status: number;
  /** The parsed body; undefined when it is empty or not JSON. */
  json: unknown;
  /** The body as text, cut to 2,000 characters: for messages when `json` does not say why. */
  text: string;
}

/** Tries of one call at most when the service answers 429 with a Retry-After that fits the time left. */
const MAX_TRIES = 3;

/**
 * How long a `Retry-After` asks to wait, in milliseconds: delay-seconds or an HTTP date
 * (RFC 9110). Undefined when it says nothing usable: the 429 is then the answer.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date starts with the day's name (`Sun, 06 Dec 2026 03:00:05 GMT`).
  if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * After a 429 (rate limited: nothing was done): waits the `Retry-After` it asks for and answers
 * true (send again) when that ends before `deadline` (epoch ms); false when it gave no usable
 * wait or the wait does not fit. Rejects with RequestFailure when `signal` aborts the wait.
 */
async function waitedOutRateLimit(header: string | string[] | undefined, deadline: number, signal: AbortSignal, target: string): Promise<boolean> {
  const wait = retryAfterMs(header, Date.now());
  if (wait === undefined || Date.now() + wait >= deadline) return false;
  try {
    await delay(wait, undefined, { signal });
  } catch {
    throw new RequestFailure(`${target} was cancelled while waiting ${Math.ceil(wait / 1000)} s after a 429`);
  }
  return true;
}

/**
 * Calls `send` and, while it answers 429 with a `Retry-After` that ends before `deadline` (epoch
 * ms), waits that long and calls it again: MAX_TRIES sends at most. Resolves with the last
 * answer (a 429 among them when waiting would not fit); `target` names the call when the wait is
 * cancelled. Every REST client of the nodes waits out rate limits through this.
 */
export async function sendWaitingOutRateLimits<R extends { status: number; headers: IncomingHttpHeaders }>(
  send: () => Promise<R>,
  deadline: number,
  signal: AbortSignal,
  target: string,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status === 429 && attempt < MAX_TRIES && (await waitedOutRateLimit(res.headers['retry-after'], deadline, signal, target))) continue;
    return res;
  }
}

/**
 * Makes the call; rejects with RequestFailure, DestinationRefused or ResolveFailed (see
 * isCallFailure). A 429 (rate limited: nothing was done) is tried again after its Retry-After
 * when that fits in `timeoutSeconds` (all tries together), at most three times.
 */
export async function callJsonApi(ctx: { network: NetworkAccess; signal: AbortSignal }, call: JsonCall): Promise<JsonAnswer> {
  const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body), 'utf8');
  const deadline = Date.now() + call.timeoutSeconds * 1000;
  const send = () =>
    requestChecked(ctx, {
      method: call.method,
      url: call.url,
      headers: {
        'User-Agent': 'salve',
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...call.headers,
      },
      ...(body ? { body } : {}),
      // What is left of the time for all tries together.
      timeoutSeconds: Math.min(call.timeoutSeconds, Math.max(1, Math.ceil((deadline - Date.now()) / 1000))),
    });
  const res = await sendWaitingOutRateLimits(send, deadline, ctx.signal, describeTarget(call.method, call.url));
  if (res.truncated) throw new RequestFailure(`${describeTarget(call.method, call.url)} answered with more than ${MAX_RESPONSE_BYTES / 1048576} MiB`);
  const text = res.body.toString('utf8');
  return { status: res.status, json: parseJsonText(text), text: truncate(text, 2000) };
}

/** `text` parsed as JSON; undefined when it is empty or not JSON (the caller reports the text). */
export function parseJsonText(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether `error` is a call that could not be made or answered (its message names the target). */
export function isCallFailure(error: unknown): error is RequestFailure | DestinationRefused | ResolveFailed {
  return error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed;
}
