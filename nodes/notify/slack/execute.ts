import { setTimeout as delay } from 'node:timers/promises';
import { truncate } from '../../../shared/text.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { portOf, RequestFailure, sendRequest, within, type RawResponse } from '../../http-request.js';
import { DestinationRefused, ResolveFailed } from '../../network.js';
import { slackNotify } from './definition.js';
import { earlierThread, retryAfterSeconds, slackMessage, withButtons, type SlackThread } from './message.js';
import { approvalButtons } from '../../../shared/slack/approval-buttons.js';
import type { SlackOutput } from './output.js';
import { uploadToThread } from './upload.js';
import type { Attachment } from '../../../shared/attachment.js';
import { AttachmentMissing, attachmentsFor } from '../../attachments.js';

/** Posts tried at most, 429s included: Slack's waits are seconds, and the timeout bounds them too. */
const MAX_ATTEMPTS = 5;

/** One post, ready to send: where, with what, and what the output says about it. */
interface Post {
  url: URL;
  /** The destination for messages: never the webhook URL's path, which is its credential. */
  display: string;
  headers: Record<string, string>;
  body: Buffer;
  base: Pick<SlackOutput, 'via' | 'to' | 'threadTs'>;
  thread?: SlackThread;
}

/** What chat.postMessage answers: `{ ok: true, channel, ts }` or `{ ok: false, error }`. */
function readApiAnswer(body: Buffer): { ok?: boolean; channel?: string; ts?: string; error?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return {
      ...(typeof parsed.ok === 'boolean' ? { ok: parsed.ok } : {}),
      ...(typeof parsed.channel === 'string' ? { channel: parsed.channel } : {}),
      ...(typeof parsed.ts === 'string' ? { ts: parsed.ts } : {}),
      ...(typeof parsed.error === 'string' ? { error: truncate(parsed.error, 200) } : {}),
    };
  } catch {
    return {};
  }
}

/** A webhook's (or a proxy's) plain-text answer, short enough for a message. */
const answerText = (res: RawResponse) => truncate(res.body.toString('utf8').trim(), 200);

/**
 * Runs `notify.slack`: one chat.postMessage with a bot token (a reply in the run's first Slack
 * thread unless told otherwise), or one post to an incoming webhook. The destination policy checks
 * the host, and that the token's or URL's secret may be sent there, before anything connects.
 * A 429 is waited out (Retry-After) while the timeout allows; Slack's refusals, a refused
 * destination, a network error or the timeout go to `error` with the reason.
 */
export const executeSlackNotify = defineExecutor(slackNotify, async (config, ctx): Promise<StepOutcome<SlackOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = config.timeoutSeconds * 1000;
  const { auth } = config;
  const via = auth.type;
  const buttons = config.approvalButtons ? approvalButtons({ executionId: ctx.executionId, nodeId: config.approvalButtons, stepId: ctx.stepId }) : undefined;
  const failed = (message: string, status: number | null = null, extra: Partial<SlackOutput> = {}) =>
    ({ type: 'fail', port: 'error', error: message, output: { via, ok: false, error: message, status, durationMs: elapsed(), ...extra } }) as const;

  // Listed files must exist before anything is posted: a message without the promised logs is worse than none.
  let files: Attachment[];
  try {
    files = attachmentsFor(config.attach ?? [], ctx.vars.steps);
  } catch (error) {
    if (error instanceof AttachmentMissing) return failed(`${error.message}; nothing was posted`);
    throw error;
  }

  let post: Post;
  if (auth.type === 'bot') {
    const thread = config.thread === 'auto' ? earlierThread(ctx.vars.steps, auth.channel) : undefined;
    const message = withButtons(slackMessage(config.text, ctx.vars, thread !== undefined, ctx.runUrl), buttons);
    const url = new URL(`${config.apiUrl.replace(/\/+$/, '')}/chat.postMessage`);
    const body = { channel: thread?.channel ?? auth.channel, ...message, ...(thread ? { thread_ts: thread.ts } : {}) };
    post = {
      url,
      display: `${url.origin}${url.pathname}`,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${auth.token}`, 'User-Agent': 'salve' },
      body: Buffer.from(JSON.stringify(body), 'utf8'),
      base: { via, to: auth.channel, ...(thread ? { threadTs: thread.ts } : {}) },
      ...(thread ? { thread } : {}),
    };
  } else {
    let url: URL | undefined;
    try {
      url = new URL(auth.url);
    } catch {}
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      const secret = ctx.secrets.find((s) => s.path.join('.') === 'auth.url')?.name;
      return failed(`the incoming-webhook URL${secret ? ` (secret ${secret})` : ''} is not an http(s) URL, e.g. https://hooks.slack.com/services/…`);
    }
    post = {
      url,
      display: `Slack incoming webhook at ${url.origin}`,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'salve' },
      body: Buffer.from(JSON.stringify(withButtons(slackMessage(config.text, ctx.vars, false, ctx.runUrl), buttons)), 'utf8'),
      base: { via },
    };
  }
  const { url, display } = post;
  // sendRequest's messages name `origin + path`, and an answer may echo it: a webhook's path is its credential.
  const hidePath = (message: string) => message.replaceAll(`${url.origin}${url.pathname}`, display);

  try {
    const port = portOf(url);
    const dest = await within(ctx.network.resolve({ host: url.hostname, port, display }, ctx.signal), timeoutMs, `Slack (${display}) timed out after ${config.timeoutSeconds} s`);
    for (let attempt = 1; ; attempt++) {
      const res = await sendRequest({
        method: 'POST',
        url,
        headers: post.headers,
        body: post.body,
        timeoutMs: timeoutMs - elapsed(),
        timeoutSeconds: config.timeoutSeconds,
        signal: ctx.signal,
        lookup: dest.lookup,
      });
      if (res.status === 429) {
        // Rate limited: nothing was posted, so trying again after Slack's wait cannot post twice.
        const wait = retryAfterSeconds(res.headers['retry-after']);
        const left = timeoutMs - elapsed();
        if (wait * 1000 >= left || attempt >= MAX_ATTEMPTS) {
          const why = attempt >= MAX_ATTEMPTS ? `after ${attempt} tries` : `longer than the ${Math.max(0, Math.floor(left / 1000))} s left of the step’s ${config.timeoutSeconds} s timeout`;
          return failed(`Slack rate limited the post (429) and asked to wait ${wait} s, ${why}`, 429, post.base);
        }
        try {
          await delay(wait * 1000, undefined, { signal: ctx.signal });
        } catch {
          return failed(`cancelled while waiting the ${wait} s Slack asked for (429)`, 429, post.base);
        }
        continue;
      }
      if (via === 'webhook') {
        if (res.status === 200) return { type: 'next', port: 'ok', output: { ...post.base, ok: true, status: 200, durationMs: elapsed() } };
        const text = hidePath(answerText(res));
        return failed(`Slack’s incoming webhook answered ${res.status}${text ? `: ${text}` : ''}`, res.status, { ...post.base, ...(text ? { error: text } : {}) });
      }
      const answer = readApiAnswer(res.body);
      if (res.status === 200 && answer.ok === true && answer.ts) {
        const posted = { ...post.base, channel: answer.channel ?? post.thread?.channel ?? post.base.to!, ts: answer.ts, ok: true, status: 200 };
        if (files.length === 0 || auth.type !== 'bot') return { type: 'next', port: 'ok', output: { ...posted, durationMs: elapsed() } };
        // Into the message's thread: a reply's files go to its parent (Slack wants the parent's ts).
        const upload = await uploadToThread(
          files,
          { apiUrl: config.apiUrl, token: auth.token, channel: posted.channel, threadTs: post.thread?.ts ?? answer.ts, timeoutSeconds: Math.max(1, Math.floor((timeoutMs - elapsed()) / 1000)) },
          ctx,
        );
        if ('problem' in upload) return failed(`the message was posted, but its files were not: ${hidePath(upload.problem)}`, 200, { ...posted, ok: false });
        return { type: 'next', port: 'ok', output: { ...posted, attached: upload.uploaded, durationMs: elapsed() } };
      }
      if (res.status === 200 && answer.error) {
        // The output keeps Slack's code alone (`channel_not_found`), for a later condition to read.
        return failed(`Slack refused the message: ${answer.error}`, 200, { ...post.base, error: answer.error });
      }
      const text = answer.error ?? hidePath(answerText(res));
      return failed(`Slack answered ${res.status}${text ? `: ${text}` : ''}`, res.status, post.base);
    }
  } catch (error) {
    if (error instanceof RequestFailure || error instanceof DestinationRefused || error instanceof ResolveFailed) return failed(hidePath(error.message), null, post.base);
    throw error;
  }
});
