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

/** Makes the call; rejects with RequestFailure, DestinationRefused or ResolveFailed (see isCallFailure). */
export async function callJsonApi(ctx: { network: NetworkAccess; signal: AbortSignal }, call: JsonCall): Promise<JsonAnswer> {
  const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body), 'utf8');
  const res = await requestChecked(ctx, {
    method: call.method,
    url: call.url,
    headers: {
      'User-Agent': 'salve',
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...call.headers,
    },
    ...(body ? { body } : {}),
    timeoutSeconds: call.timeoutSeconds,
  });
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
