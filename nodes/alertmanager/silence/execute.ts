import { truncate } from '../../../shared/text.js';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { alertmanagerSilence, type SilenceConfig } from './definition.js';
import { filterOf, SILENCE_ID, silenceBody, stepMarker, type SilenceBody } from './matchers.js';
import type { SilenceOutput } from './output.js';

type Config = Resolved<SilenceConfig>;

/** Alertmanager's words for a refusal: a JSON string (`"silence invalid: …"`) or `{ code, message }`. */
function reasonOf(answer: JsonAnswer): string {
  if (typeof answer.json === 'string') return truncate(answer.json, 1000);
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return truncate(message, 1000);
  return truncate(answer.text, 1000) || 'no reason given';
}

/** A silence as `GET /api/v2/silences` lists it (only what the lookup reads). */
interface ListedSilence {
  id?: unknown;
  comment?: unknown;
  status?: { state?: unknown };
}

/**
 * The silence an earlier try of this step created and that is still in force, found by the
 * step's marker in its comment; undefined when there is none or the lookup failed (then the
 * step creates one: a second silence is the lesser harm than none).
 */
async function findOwn(config: Config, ctx: ExecContext, body: SilenceBody): Promise<string | undefined> {
  const url = serviceEndpoint(config.url, '/api/v2/silences');
  // Narrowed by one matcher: a busy Alertmanager may hold thousands of silences.
  const narrow = body.matchers.find((m) => m.name === 'alertname') ?? body.matchers[0];
  if (narrow) url.searchParams.set('filter', filterOf(narrow));
  try {
    const answer = await callJsonApi(ctx, { method: 'GET', url, headers: config.headers, timeoutSeconds: config.timeoutSeconds });
    if (answer.status !== 200 || !Array.isArray(answer.json)) return undefined;
    const marker = stepMarker(ctx.idempotencyKey);
    const own = (answer.json as ListedSilence[]).find(
      (s) => typeof s.comment === 'string' && s.comment.includes(marker) && (s.status?.state === 'active' || s.status?.state === 'pending'),
    );
    return typeof own?.id === 'string' ? own.id : undefined;
  } catch (error) {
    if (isCallFailure(error)) return undefined;
    throw error;
  }
}

async function create(config: Config, ctx: ExecContext, elapsed: () => number): Promise<StepOutcome<SilenceOutput>> {
  const body = silenceBody(config, ctx.vars, { now: ctx.now(), idempotencyKey: ctx.idempotencyKey, runUrl: ctx.runUrl });
  if (typeof body === 'string') {
    return { type: 'fail', port: 'error', error: body, output: { action: 'create', silenceId: null, status: null, message: body, durationMs: elapsed() } };
  }
  const shown = { matchers: body.matchers.map(({ name, value }) => ({ name, value })), startsAt: body.startsAt, endsAt: body.endsAt };
  const failed = (message: string, status: number | null) =>
    ({ type: 'fail', port: 'error', error: message, output: { action: 'create', silenceId: null, status, message, ...shown, durationMs: elapsed() } }) as const;

  if (ctx.attempt > 1) {
    const own = await findOwn(config, ctx, body);
    if (own) {
      return {
        type: 'next',
        port: 'ok',
        output: { action: 'create', silenceId: own, status: 200, message: `kept silence ${own}, created by an earlier try of this step`, ...shown, reused: true, durationMs: elapsed() },
      };
    }
  }
  try {
    const answer = await callJsonApi(ctx, { method: 'POST', url: serviceEndpoint(config.url, '/api/v2/silences'), headers: config.headers, body, timeoutSeconds: config.timeoutSeconds });
    const id = (answer.json as { silenceID?: unknown } | undefined)?.silenceID;
    if (answer.status === 200 && typeof id === 'string') {
      return { type: 'next', port: 'ok', output: { action: 'create', silenceId: id, status: 200, message: `silenced until ${body.endsAt}`, ...shown, durationMs: elapsed() } };
    }
    return failed(`Alertmanager answered ${answer.status}: ${reasonOf(answer)}`, answer.status);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
}

async function expire(config: Config, ctx: ExecContext, elapsed: () => number): Promise<StepOutcome<SilenceOutput>> {
  const id = config.silenceId ?? '';
  const failed = (message: string, status: number | null) =>
    ({ type: 'fail', port: 'error', error: message, output: { action: 'expire', silenceId: null, status, message, durationMs: elapsed() } }) as const;
  // A template such as `{{ has(steps.silence_alert.silenceId) ? … : "" }}` on a path where no silence was made.
  if (id === '') return { type: 'next', port: 'ok', output: { action: 'expire', silenceId: null, status: null, message: 'no silence to expire (silenceId is empty: no earlier step made one)', durationMs: elapsed() } };
  if (!SILENCE_ID.test(id)) return failed(`silenceId is ${JSON.stringify(truncate(id, 100))}, not a silence id (a UUID): did the step that created it run?`, null);
  try {
    const url = serviceEndpoint(config.url, `/api/v2/silence/${id}`);
    const answer = await callJsonApi(ctx, { method: 'DELETE', url, headers: config.headers, timeoutSeconds: config.timeoutSeconds });
    if (answer.status === 200) return { type: 'next', port: 'ok', output: { action: 'expire', silenceId: id, status: 200, message: `expired silence ${id}`, durationMs: elapsed() } };
    // Alertmanager 0.25 answers an unknown id with a 500 "silence not found".
    const reason = reasonOf(answer);
    if (/silence not found/i.test(reason)) return failed(`Alertmanager has no silence ${id}`, answer.status);
    return failed(`Alertmanager answered ${answer.status}: ${reason}`, answer.status);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
}

/**
 * Runs `alertmanager.silence`: creates a silence for the run's alert (API v2), or expires one.
 * Every call goes through the destination policy. Alertmanager's refusals, a label the silence
 * needs and the alert lacks, a timeout or a network error go to `error` with the reason.
 */
export const executeSilence = defineExecutor(alertmanagerSilence, async (config, ctx): Promise<StepOutcome<SilenceOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return config.action === 'expire' ? expire(config, ctx, elapsed) : create(config, ctx, elapsed);
});
