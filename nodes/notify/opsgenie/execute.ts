import { truncate } from '../../../shared/text.js';
import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { opsgenieNotify, type OpsgenieNotifyConfig } from './definition.js';
import type { OpsgenieOutput } from './output.js';
import { noteMarker, notesUrl, opsgenieRequest } from './request.js';

/**
 * What Opsgenie answers: `{ result, took, requestId }` on a 202; `{ message, errors?, took,
 * requestId }` on a refusal, `errors` mapping a field to what is wrong with it (422).
 */
function readAnswer(answer: JsonAnswer): { text?: string; requestId?: string; errors?: string[] } {
  const json = answer.json;
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    const text = answer.text.trim();
    return text ? { text: truncate(text, 1000) } : {};
  }
  const parsed = json as { result?: unknown; message?: unknown; requestId?: unknown; errors?: unknown };
  const text = typeof parsed.result === 'string' ? parsed.result : typeof parsed.message === 'string' ? parsed.message : undefined;
  let errors: string[] | undefined;
  if (Array.isArray(parsed.errors)) errors = parsed.errors.map(String);
  else if (parsed.errors && typeof parsed.errors === 'object') errors = Object.entries(parsed.errors).map(([field, why]) => `${field}: ${String(why)}`);
  return {
    ...(text ? { text: truncate(text, 1000) } : {}),
    ...(typeof parsed.requestId === 'string' ? { requestId: parsed.requestId.slice(0, 100) } : {}),
    ...(errors && errors.length > 0 ? { errors: errors.slice(0, 20).map((e) => truncate(e, 500)) } : {}),
  };
}

/**
 * Whether the alert already holds the note an earlier try of this step added (found by the
 * step's marker among its latest notes). A failed lookup says no: the step then adds the note,
 * as a second note is the lesser harm than none.
 */
async function noteAlreadyAdded(config: Resolved<OpsgenieNotifyConfig>, ctx: ExecContext, alias: string, headers: Record<string, string>): Promise<boolean> {
  try {
    const answer = await callJsonApi(ctx, { method: 'GET', url: notesUrl(config, alias), headers, timeoutSeconds: config.timeoutSeconds });
    const notes = (answer.json as { data?: unknown } | undefined)?.data;
    if (answer.status !== 200 || !Array.isArray(notes)) return false;
    const marker = noteMarker(ctx.idempotencyKey);
    return notes.some((n) => typeof (n as { note?: unknown }).note === 'string' && (n as { note: string }).note.includes(marker));
  } catch (error) {
    if (isCallFailure(error)) return false;
    throw error;
  }
}

/**
 * Runs `notify.opsgenie`: one POST to the Alert API v2 (create, acknowledge, close or add a note,
 * by alias) with `Authorization: GenieKey <key>`. The destination policy checks the host, and
 * that the key's secret may be sent there, before anything connects. A 2xx (Opsgenie answers
 * 202) goes to `ok`; a refusal, a network error or the timeout goes to `error` with Opsgenie's words.
 */
export const executeOpsgenieNotify = defineExecutor(opsgenieNotify, async (config, ctx): Promise<StepOutcome<OpsgenieOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { action } = config;
  // The key never reaches a message, whatever a proxy or Opsgenie echoes.
  const clean = (text: string) => (config.apiKey.length >= 8 ? text.replaceAll(config.apiKey, '…') : text);
  const request = opsgenieRequest(config, ctx.vars, { idempotencyKey: ctx.idempotencyKey, runUrl: ctx.runUrl });
  const alias = typeof request === 'string' ? (config.alias ?? ctx.vars.alert.fingerprint) : request.alias;
  const failed = (message: string, status: number | null = null, extra: Partial<OpsgenieOutput> = {}) =>
    ({ type: 'fail', port: 'error', error: clean(message), output: { action, alias, requestId: null, status, message: clean(message), ...extra, durationMs: elapsed() } }) as const;
  if (typeof request === 'string') return failed(request);
  const headers = { Authorization: `GenieKey ${config.apiKey}` };

  try {
    if (action === 'note' && ctx.attempt > 1 && (await noteAlreadyAdded(config, ctx, alias, headers))) {
      return {
        type: 'next',
        port: 'ok',
        output: { action, alias, requestId: null, status: 200, message: 'kept the note an earlier try of this step added', reused: true, durationMs: elapsed() },
      };
    }
    const answer = await callJsonApi(ctx, { method: 'POST', url: request.url, headers, body: request.body, timeoutSeconds: config.timeoutSeconds });
    const read = readAnswer(answer);
    const requestId = read.requestId ?? null;
    if (answer.status >= 200 && answer.status < 300) {
      return { type: 'next', port: 'ok', output: { action, alias, requestId, status: answer.status, message: clean(read.text ?? 'Request will be processed'), durationMs: elapsed() } };
    }
    const why = answer.status === 429 ? 'rate limited by Opsgenie (429); try again later' : `Opsgenie answered ${answer.status}`;
    const detail = [read.text, ...(read.errors ?? [])].filter(Boolean).join('; ');
    return failed(detail ? `${why}: ${detail}` : why, answer.status, { requestId, ...(read.errors ? { errors: read.errors.map(clean) } : {}) });
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message);
    throw error;
  }
});
