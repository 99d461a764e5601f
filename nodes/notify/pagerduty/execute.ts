import { defineExecutor, type StepOutcome } from '../../executor.js';
import { portOf, RequestFailure, sendRequest, within } from '../../http-request.js';
import { DestinationRefused, ResolveFailed } from '../../network.js';
import { pagerdutyNotify } from './definition.js';
import { pagerDutyEvent } from './event.js';
import type { PagerDutyOutput } from './output.js';

/** What PagerDuty answers on /v2/enqueue: `{ status, message, dedup_key }`, with `errors` on a 400. */
function readAnswer(body: Buffer): { message?: string; dedupKey?: string; errors?: string[] } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string').slice(0, 20) : undefined;
    return {
      ...(typeof parsed.message === 'string' ? { message: parsed.message.slice(0, 1000) } : {}),
      ...(typeof parsed.dedup_key === 'string' ? { dedupKey: parsed.dedup_key } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Runs `notify.pagerduty`: one POST of an Events API v2 event to `<baseUrl>/v2/enqueue`. The
 * destination policy checks the host, and that the routing key's secret may be sent there, before
 * anything connects. PagerDuty's 202 goes to `ok`; any other answer (400 invalid event, 429 rate
 * limit, 5xx), a refusal, a network error or the timeout goes to `error` with PagerDuty's words.
 */
export const executePagerDutyNotify = defineExecutor(pagerdutyNotify, async (config, ctx): Promise<StepOutcome<PagerDutyOutput>> => {
  const event = pagerDutyEvent(config, ctx.vars, ctx.runUrl);
  const url = new URL('/v2/enqueue', config.baseUrl);
  const display = `${url.origin}${url.pathname}`;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = config.timeoutSeconds * 1000;
  const output = (status: number | null, message: string, extra: Partial<PagerDutyOutput> = {}): PagerDutyOutput => ({
    action: config.action,
    dedupKey: event.dedup_key,
    status,
    message,
    durationMs: elapsed(),
    ...extra,
  });
  const failed = (message: string, status: number | null = null, extra: Partial<PagerDutyOutput> = {}) =>
    ({ type: 'fail', port: 'error', error: message, output: output(status, message, extra) }) as const;

  try {
    const port = portOf(url);
    const dest = await within(ctx.network.resolve({ host: url.hostname, port, display }, ctx.signal), timeoutMs, `PagerDuty (${display}) timed out after ${config.timeoutSeconds} s`);
    const res = await sendRequest({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'salve' },
      body: Buffer.from(JSON.stringify(event), 'utf8'),
      timeoutMs: timeoutMs - elapsed(),
      timeoutSeconds: config.timeoutSeconds,
      signal: ctx.signal,
      lookup: dest.lookup,
    });
    const answer = readAnswer(res.body);
    if (res.status === 202) {
      return { type: 'next', port: 'ok', output: output(202, answer.message ?? 'Event processed', { dedupKey: answer.dedupKey ?? event.dedup_key }) };
    }
    const why = res.status === 429 ? 'rate limited by PagerDuty (429); try again later' : `PagerDuty answered ${res.status}`;
    const detail = [answer.message, ...(answer.errors ?? [])].filter(Boolean).join('; ');
    return failed(detail ? `${why}: ${detail}` : why, res.status, answer.errors ? { errors: answer.errors } : {});
  } catch (error) {
    if (error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed) return failed(error.message);
    throw error;
  }
});
