import { truncate } from '../../../shared/text.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { teamsNotify } from './definition.js';
import { teamsMessage } from './message.js';
import type { TeamsOutput } from './output.js';

/**
 * Hosts a workflow URL may name with plain http: a loopback stand-in in tests, as
 * SALVE_SLACK_API_URL allows. Anywhere else the URL (whose `sig` is the credential) and the
 * card would cross the network in clear text, so only https is taken.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Query values this short are not secrets (`api-version=1`, `sv=1.0`), and hiding them would garble messages. */
const SHORTEST_HIDDEN = 8;

/**
 * A function that takes the workflow URL out of `text`: where it stands whole (or as origin +
 * path, as request messages name targets) it becomes `shown`; its path and query values alone
 * become `…`. For every message and answer the step records, as a proxy or the workflow may
 * echo the URL.
 */
function urlHider(raw: string, url: URL, shown: string): (text: string) => string {
  const rawValues = url.search
    .slice(1)
    .split('&')
    .map((pair) => pair.slice(pair.indexOf('=') + 1));
  const parts = new Set([...rawValues, ...url.searchParams.values(), url.search, url.pathname.length > 1 ? url.pathname : ''].filter((p) => p.length >= SHORTEST_HIDDEN));
  // The secret as written first: it may keep what URL drops (`:443`).
  const whole = [raw.trim(), url.href, `${url.origin}${url.pathname}${url.search}`, `${url.origin}${url.pathname}`];
  const hidden = [...parts].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const w of whole) out = out.replaceAll(w, shown);
    for (const p of hidden) out = out.replaceAll(p, '…');
    return out;
  };
}

/** The workflow's words for a refusal: Azure's `{ error: { code, message } }`, a `message`, or the text. */
function reasonOf(answer: JsonAnswer): string {
  const json = answer.json as { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  const code = typeof json?.error?.code === 'string' ? json.error.code : undefined;
  const message = typeof json?.error?.message === 'string' ? json.error.message : typeof json?.message === 'string' ? json.message : undefined;
  const reason = [code, message].filter(Boolean).join(': ');
  return truncate(reason || answer.text.trim(), 1000);
}

/**
 * Runs `notify.teams`: one POST of an Adaptive Card message to the workflow URL (a secret). The
 * URL must be https (http only to loopback); the destination policy checks its host, and that
 * the secret may be sent there, before anything connects. 202 or 200 goes to `ok`; a refusal,
 * a network error or the timeout goes to `error` with the workflow's words, and no message or
 * output ever holds the URL's path or query.
 */
export const executeTeamsNotify = defineExecutor(teamsNotify, async (config, ctx): Promise<StepOutcome<TeamsOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const secret = ctx.secrets.find((s) => s.path.join('.') === 'webhookUrl')?.name;
  const named = `the Teams workflow URL${secret ? ` (secret ${secret})` : ''}`;
  const failed = (message: string, to: string, status: number | null = null) =>
    ({ type: 'fail', port: 'error', error: message, output: { to, ok: false, status, message, durationMs: elapsed() } }) as const;

  let url: URL;
  try {
    url = new URL(config.webhookUrl);
  } catch {
    return failed(`${named} is not a URL, e.g. https://prod-12.westus.logic.azure.com/workflows/…/triggers/manual/paths/invoke?…`, '(not a URL)');
  }
  const to = url.origin;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return failed(`${named} must start with https:// (plain http only to a loopback test stand-in); it starts with ${url.protocol}//`, to);
  }
  const hide = urlHider(config.webhookUrl, url, `${to}/… (the rest of the workflow URL is secret)`);

  try {
    const answer = await callJsonApi(ctx, { method: 'POST', url, headers: {}, body: teamsMessage(config, ctx.vars, ctx.runUrl), timeoutSeconds: config.timeoutSeconds });
    if (answer.status === 202 || answer.status === 200) {
      return { type: 'next', port: 'ok', output: { to, ok: true, status: answer.status, message: `the workflow took the card (${answer.status})`, durationMs: elapsed() } };
    }
    const reason = hide(reasonOf(answer));
    const why = answer.status === 429 ? 'rate limited by the Teams workflow (429); try again later' : `the Teams workflow answered ${answer.status}`;
    return failed(reason ? `${why}: ${reason}` : why, to, answer.status);
  } catch (error) {
    if (isCallFailure(error)) return failed(hide(error.message), to);
    throw error;
  }
});
