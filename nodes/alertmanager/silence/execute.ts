import { truncate } from '../../../shared/text.js';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { alertmanagerSilence, type SilenceConfig } from './definition.js';
import { filterOf, SILENCE_ID, silenceBody, stepMarker, type SilenceBody } from './matchers.js';
import type { SilenceOutput } from './output.js';
import type { AfterRunResult } from '../../node-module.js';

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
  // Until the run ends: the engine calls afterRun (expireWhenRunEnds) once it has.
  const untilEnd = config.untilRunEnds ? { untilRunEnds: true } : {};
  const afterRun = config.untilRunEnds ? { afterRun: true } : {};
  const failed = (message: string, status: number | null) =>
    ({ type: 'fail', port: 'error', error: message, output: { action: 'create', silenceId: null, status, message, ...shown, durationMs: elapsed() } }) as const;

  if (ctx.attempt > 1) {
    const own = await findOwn(config, ctx, body);
    if (own) {
      return {
        type: 'next',
        port: 'ok',
        output: { action: 'create', silenceId: own, status: 200, message: `kept silence ${own}, created by an earlier try of this step`, ...shown, reused: true, ...untilEnd, durationMs: elapsed() },
        ...afterRun,
      };
    }
  }
  try {
    const answer = await callJsonApi(ctx, { method: 'POST', url: serviceEndpoint(config.url, '/api/v2/silences'), headers: config.headers, body, timeoutSeconds: config.timeoutSeconds });
    const id = (answer.json as { silenceID?: unknown } | undefined)?.silenceID;
    if (answer.status === 200 && typeof id === 'string') {
      const until = config.untilRunEnds ? `silenced until the run ends, at the latest ${body.endsAt}` : `silenced until ${body.endsAt}`;
      return { type: 'next', port: 'ok', output: { action: 'create', silenceId: id, status: 200, message: until, ...shown, ...untilEnd, durationMs: elapsed() }, ...afterRun };
    }
    return failed(`Alertmanager answered ${answer.status}: ${reasonOf(answer)}`, answer.status);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
}

/** What expiring one silence came to: done, or Alertmanager's refusal (`gone`: it has no such silence). */
type Expired = { ok: true; message: string } | { ok: false; message: string; status: number | null; gone: boolean };

/** `DELETE <url>/api/v2/silence/<id>`; an unreachable Alertmanager is a refusal with no status. */
async function expireSilence(config: Config, ctx: ExecContext, id: string): Promise<Expired> {
  try {
    const url = serviceEndpoint(config.url, `/api/v2/silence/${id}`);
    const answer = await callJsonApi(ctx, { method: 'DELETE', url, headers: config.headers, timeoutSeconds: config.timeoutSeconds });
    if (answer.status === 200) return { ok: true, message: `expired silence ${id}` };
    // Alertmanager 0.25 answers an unknown id with a 500 "silence not found".
    const reason = reasonOf(answer);
    if (/silence not found/i.test(reason)) return { ok: false, message: `Alertmanager has no silence ${id}`, status: answer.status, gone: true };
    return { ok: false, message: `Alertmanager answered ${answer.status}: ${reason}`, status: answer.status, gone: false };
  } catch (error) {
    if (isCallFailure(error)) return { ok: false, message: error.message, status: null, gone: false };
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
  const done = await expireSilence(config, ctx, id);
  if (done.ok) return { type: 'next', port: 'ok', output: { action: 'expire', silenceId: id, status: 200, message: done.message, durationMs: elapsed() } };
  return failed(done.message, done.status);
}

/**
 * After a run whose create step had `untilRunEnds`: expires that silence. One Alertmanager no
 * longer has (deleted by hand, or gone with its data) is done too; anything else is tried again.
 */
export async function expireWhenRunEnds(config: Config, output: SilenceOutput, ctx: ExecContext): Promise<AfterRunResult> {
  if (!output.silenceId || !SILENCE_ID.test(output.silenceId)) return { done: true, message: 'no silence to expire' };
  const done = await expireSilence(config, ctx, output.silenceId);
  if (done.ok) return { done: true, message: `${done.message}: the run ended` };
  if (done.gone) return { done: true, message: done.message };
  return { done: false, error: done.message };
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
