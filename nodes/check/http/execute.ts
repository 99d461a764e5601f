import type { IncomingHttpHeaders } from 'node:http';
import { evaluateCelBool } from '../../../shared/expr/index.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { decodeBody, describeTarget, parseHttpUrl, probeChecked, RequestFailure } from '../../http-request.js';
import { DestinationRefused, ResolveFailed } from '../../network.js';
import { httpCheck } from './definition.js';
import { MAX_RECORDED_BODY, type HttpCheckOutput } from './output.js';

/** Every response header as `expect` reads it: lower-case names, repeated ones joined. */
function allHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

/** The body as recorded: the decoded body, or its first 64 KiB as text when it is longer. */
function recordedBody(raw: Buffer, decoded: unknown, cutByRequest: boolean): { body: unknown; truncated?: true } {
  if (raw.length <= MAX_RECORDED_BODY && !cutByRequest) return { body: decoded };
  return { body: raw.subarray(0, MAX_RECORDED_BODY).toString('utf8'), truncated: true };
}

/**
 * Runs `check.http`: one GET or HEAD, through `ctx.network` (the destination policy and the
 * secrets' host lists are checked before anything connects), then `expect` over the answer. The
 * check passing or not is the result, not an error: `pass` or `fail`, the step succeeds either way.
 */
export const executeHttpCheck = defineExecutor(httpCheck, async (config, ctx): Promise<StepOutcome<HttpCheckOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const notPassed = (reason: string, answer: Partial<HttpCheckOutput> = {}): StepOutcome<HttpCheckOutput> => ({
    type: 'next',
    port: 'fail',
    output: { status: null, headers: {}, body: null, ...answer, passed: false, durationMs: elapsed(), reason },
  });

  const url = parseHttpUrl(config.url);
  if (typeof url === 'string') return notPassed(url);
  const target = describeTarget(config.method, url);
  try {
    const res = await probeChecked(ctx, { method: config.method, url, headers: { 'User-Agent': 'salve', ...config.headers }, timeoutSeconds: config.timeoutSeconds });
    const headers = allHeaders(res.headers);
    const body = decodeBody(res.body, headers['content-type'], res.truncated);
    const contentType = headers['content-type'];
    const recorded: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const answer = { status: res.status, headers: recorded, ...recordedBody(res.body, body, res.truncated) };
    let passed: boolean;
    try {
      passed = evaluateCelBool(config.expect, ctx.vars, { locals: { response: { status: res.status, headers, body } } });
    } catch (error) {
      return notPassed(`the expectation could not be evaluated: ${(error as Error).message}`, answer);
    }
    if (!passed) return notPassed(`the expectation was false: ${config.expect} (${target} answered ${res.status})`, answer);
    return { type: 'next', port: 'pass', output: { ...answer, passed: true, durationMs: elapsed() } };
  } catch (error) {
    if (error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed) return notPassed(error.message);
    throw error;
  }
});
