import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { SlackNotifyConfigSchema, type SlackNotifyConfig } from './definition.js';
import { executeSlackNotify } from './execute.js';

/**
 * A loopback stand-in for Slack (there is no Slack to run in a test). chat.postMessage answers
 * the way Slack documents: 200 `{ ok: true, channel, ts }`, 200 `{ ok: false, error }` for a bad
 * token or an unknown channel, 429 with Retry-After when rate limited. The incoming webhook
 * answers 200 "ok", or 404 "no_service" for a URL it does not know.
 */
const TOKEN = 'xoxb-0000000000-test-token-abcdef';
const WEBHOOK_PATH = '/services/T0000/B0000/s3cr3tw3bh00kpath';
const CHANNELS: Record<string, string> = { '#ops': 'C0OPS', C0OPS: 'C0OPS' };
const received: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
const messages = new Map<string, { channel: string; threadTs?: string }>();
let rateLimit: { times: number; retryAfter: string } = { times: 0, retryAfter: '1' };
let nextTs = 100;
let port = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    received.push({ path: req.url!, headers: req.headers, body });
    if (rateLimit.times > 0) {
      rateLimit.times--;
      res.writeHead(429, { 'retry-after': rateLimit.retryAfter, 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    if (req.url?.startsWith('/services/')) {
      res.writeHead(req.url === WEBHOOK_PATH ? 200 : 404, { 'content-type': 'text/html' });
      return res.end(req.url === WEBHOOK_PATH ? 'ok' : 'no_service');
    }
    const answer = (payload: unknown) => {
      res.writeHead(req.url === '/api/chat.postMessage' ? 200 : 404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return answer({ ok: false, error: 'invalid_auth' });
    const channel = CHANNELS[String(body.channel)];
    if (!channel) return answer({ ok: false, error: 'channel_not_found' });
    const threadTs = body.thread_ts as string | undefined;
    if (threadTs && messages.get(threadTs)?.channel !== channel) return answer({ ok: false, error: 'thread_not_found' });
    const ts = `1700000000.000${nextTs++}`;
    messages.set(ts, { channel, ...(threadTs ? { threadTs } : {}) });
    answer({ ok: true, channel, ts, message: { text: body.text } });
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  rateLimit = { times: 0, retryAfter: '1' };
});

const resolver: Resolver = async (host) => {
  if (host === 'slack.test' || host === 'hooks.slack.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

/** A bot config with the token as the executor gets it: resolved from the secret SLACK_BOT_TOKEN. */
const botConfig = (input: Record<string, unknown> = {}, token = TOKEN, channel = '#ops') => {
  const parsed = SlackNotifyConfigSchema.parse({ auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel }, apiUrl: `http://slack.test:${port}/api`, ...input });
  return { ...parsed, auth: { ...parsed.auth, token } } as Resolved<SlackNotifyConfig>;
};
const webhookConfig = (url = `http://hooks.slack.test:${port}${WEBHOOK_PATH}`, input: Record<string, unknown> = {}) => {
  const parsed = SlackNotifyConfigSchema.parse({ auth: { type: 'webhook', url: { secret: 'SLACK_WEBHOOK_URL' } }, ...input });
  return { ...parsed, auth: { type: 'webhook', url } } as Resolved<SlackNotifyConfig>;
};

/** A step's context whose network allows the loopback peer, unless told otherwise; `steps` are earlier outputs. */
function ctx(opts: { allowed?: string[]; secretHosts?: string[]; steps?: Record<string, unknown>; webhook?: boolean; signal?: AbortSignal } = {}): ExecContext {
  const secret = opts.webhook ? 'SLACK_WEBHOOK_URL' : 'SLACK_BOT_TOKEN';
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_<NAME>_HOSTS: where the token or webhook URL may be sent.
    secretHosts: (name) => (name === secret ? (opts.secretHosts ?? [opts.webhook ? 'hooks.slack.test' : 'slack.test']) : undefined),
    resolver,
  });
  const secrets = [{ name: secret, path: opts.webhook ? ['auth', 'url'] : ['auth', 'token'] }];
  return testContext({
    secrets,
    network: policy.forStep({ secrets: [secret] }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    vars: { steps: { am: {}, ...opts.steps } },
  });
}

describe('notify.slack approval buttons', () => {
  it('adds Approve and Reject buttons naming the run, the approval node and the posting step, before the context line', async () => {
    const out = await executeSlackNotify(botConfig({ approvalButtons: 'ask' }), { ...ctx(), executionId: 'ex_1', stepId: 'st_9' });
    expect(out).toMatchObject({ type: 'next', port: 'ok' });
    const blocks = received.at(-1)!.body.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string; style: string }[] }[];
    const at = blocks.findIndex((b) => b.block_id === 'salve_approval');
    expect(at).toBe(blocks.length - 2);
    expect(blocks.at(-1)!.type).toBe('context');
    expect(blocks[at]!.elements!.map((e) => [e.action_id, e.style])).toEqual([
      ['salve_approve', 'primary'],
      ['salve_reject', 'danger'],
    ]);
    expect(JSON.parse(blocks[at]!.elements![0]!.value)).toEqual({ e: 'ex_1', n: 'ask', st: 'st_9' });
  });

  it('posts no buttons without approvalButtons, and refuses an id that cannot be a node id', async () => {
    await executeSlackNotify(botConfig(), ctx());
    expect(JSON.stringify(received.at(-1)!.body)).not.toContain('salve_approve');
    expect(SlackNotifyConfigSchema.safeParse({ auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' }, approvalButtons: 'a b' }).error?.issues[0]?.path).toEqual(['approvalButtons']);
  });
});

describe('notify.slack executor, bot token', () => {
  it('posts the alert with chat.postMessage, then a later step replies in its thread', async () => {
    const first = await executeSlackNotify(botConfig(), ctx());
    expect(first).toMatchObject({ type: 'next', port: 'ok', output: { via: 'bot', to: '#ops', channel: 'C0OPS', ok: true, status: 200 } });
    const firstTs = (first as { output: { ts: string } }).output.ts;
    const sent = received.at(-1)!;
    expect(sent.path).toBe('/api/chat.postMessage');
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(sent.body).toMatchObject({ channel: '#ops', text: '[critical] DiskFull: Disk almost full on db1', blocks: expect.arrayContaining([{ type: 'header', text: { type: 'plain_text', text: 'DiskFull', emoji: true } }]) });
    expect(sent.body).not.toHaveProperty('thread_ts');

    // The second step finds the first one's output among the run's steps and replies under it.
    const steps = { tell_slack: (first as { output: unknown }).output, clean_disk: { status: 200 } };
    const reply = await executeSlackNotify(botConfig({ text: 'cleaned up' }), ctx({ steps }));
    expect(reply).toMatchObject({ type: 'next', port: 'ok', output: { via: 'bot', channel: 'C0OPS', threadTs: firstTs, ok: true } });
    expect(received.at(-1)!.body).toMatchObject({ channel: 'C0OPS', thread_ts: firstTs, text: 'cleaned up' });
    expect(messages.get((reply as { output: { ts: string } }).output.ts)).toEqual({ channel: 'C0OPS', threadTs: firstTs });

    // thread: new posts a message of its own.
    const fresh = await executeSlackNotify(botConfig({ text: 'another', thread: 'new' }), ctx({ steps }));
    expect(fresh).toMatchObject({ type: 'next', output: { ok: true } });
    expect((fresh as { output: object }).output).not.toHaveProperty('threadTs');
    expect(received.at(-1)!.body).not.toHaveProperty('thread_ts');
    // No output holds the token.
    expect(JSON.stringify([first, reply, fresh])).not.toContain(TOKEN);
  });

  it('goes to "error" with Slack’s error code when Slack answers ok: false', async () => {
    const unknown = await executeSlackNotify(botConfig({}, TOKEN, '#nowhere'), ctx());
    expect(unknown).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'Slack refused the message: channel_not_found',
      output: { via: 'bot', to: '#nowhere', ok: false, error: 'channel_not_found', status: 200 },
    });
    const badToken = await executeSlackNotify(botConfig({}, 'xoxb-wrong-token-0000'), ctx());
    expect(badToken).toMatchObject({ type: 'fail', port: 'error', error: 'Slack refused the message: invalid_auth' });
  });

  it('waits out a 429 for the Retry-After Slack asks, then posts once', async () => {
    rateLimit = { times: 1, retryAfter: '1' };
    const before = received.length;
    const started = Date.now();
    const outcome = await executeSlackNotify(botConfig({ text: 'after the limit' }), ctx());
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { ok: true, status: 200 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(received.length - before).toBe(2);
  });

  it('fails at once, saying how long Slack asked to wait, when the wait does not fit in the timeout', async () => {
    rateLimit = { times: 1, retryAfter: '30' };
    const started = Date.now();
    const outcome = await executeSlackNotify(botConfig({ timeoutSeconds: 5 }), ctx());
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { ok: false, status: 429 } });
    expect((outcome as { error: string }).error).toMatch(/^Slack rate limited the post \(429\) and asked to wait 30 s, longer than the \d s left of the step’s 5 s timeout$/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops waiting out a 429 when the run is cancelled', async () => {
    rateLimit = { times: 1, retryAfter: '5' };
    const controller = new AbortController();
    const outcome = executeSlackNotify(botConfig({ timeoutSeconds: 30 }), ctx({ signal: controller.signal }));
    await expect.poll(() => rateLimit.times).toBe(0);
    controller.abort('cancelled by an operator');
    expect(await outcome).toMatchObject({ type: 'fail', port: 'error', error: 'cancelled while waiting the 5 s Slack asked for (429)' });
  });

  it('sends nothing where the destination policy forbids, nor where the token may not go', async () => {
    const before = received.length;
    const forbidden = await executeSlackNotify(botConfig(), ctx({ allowed: [] }));
    expect(forbidden).toMatchObject({ type: 'fail', port: 'error', output: { status: null, ok: false } });
    expect((forbidden as { error: string }).error).toContain('127.0.0.1');
    // The token is bound to Slack's real host: this one may not receive it.
    const tokenBound = await executeSlackNotify(botConfig(), ctx({ secretHosts: ['slack.com'] }));
    expect(tokenBound).toMatchObject({ type: 'fail', port: 'error' });
    expect((tokenBound as { error: string }).error).toContain('SLACK_BOT_TOKEN');
    expect(received.length).toBe(before);
  });
});

describe('notify.slack executor, incoming webhook', () => {
  it('posts the message to the webhook URL and records no thread (webhooks cannot thread)', async () => {
    const outcome = await executeSlackNotify(webhookConfig(), ctx({ webhook: true }));
    expect(outcome).toEqual({ type: 'next', port: 'ok', output: { via: 'webhook', ok: true, status: 200, durationMs: expect.any(Number) } });
    const sent = received.at(-1)!;
    expect(sent.path).toBe(WEBHOOK_PATH);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(sent.body).sort()).toEqual(['blocks', 'text']);
    expect(sent.body.text).toBe('[critical] DiskFull: Disk almost full on db1');
  });

  it('goes to "error" with the webhook’s answer, never showing the URL, which is the credential', async () => {
    const gone = await executeSlackNotify(webhookConfig(`http://hooks.slack.test:${port}/services/T0000/B0000/revoked`), ctx({ webhook: true }));
    expect(gone).toMatchObject({ type: 'fail', port: 'error', error: 'Slack’s incoming webhook answered 404: no_service', output: { via: 'webhook', ok: false, status: 404, error: 'no_service' } });

    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://hooks.slack.test:${(silent.address() as AddressInfo).port}${WEBHOOK_PATH}`;
      const outcome = await executeSlackNotify(webhookConfig(url, { timeoutSeconds: 1 }), ctx({ webhook: true }));
      expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
      expect((outcome as { error: string }).error).toMatch(/^POST Slack incoming webhook at http:\/\/hooks\.slack\.test:\d+ timed out after 1 s$/);
      expect(JSON.stringify(outcome)).not.toContain('s3cr3tw3bh00kpath');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }

    const notUrl = await executeSlackNotify(webhookConfig('hooks.slack.com/services/T/B/X'), ctx({ webhook: true }));
    expect(notUrl).toMatchObject({ type: 'fail', error: 'the incoming-webhook URL (secret SLACK_WEBHOOK_URL) is not an http(s) URL, e.g. https://hooks.slack.com/services/…' });
  });

  it('sends nothing where the destination policy forbids, nor where the URL’s secret may not go', async () => {
    const before = received.length;
    const forbidden = await executeSlackNotify(webhookConfig(), ctx({ webhook: true, allowed: [] }));
    expect(forbidden).toMatchObject({ type: 'fail', port: 'error', output: { via: 'webhook', status: null } });
    const bound = await executeSlackNotify(webhookConfig(), ctx({ webhook: true, secretHosts: ['hooks.slack.com'] }));
    expect((bound as { error: string }).error).toContain('SLACK_WEBHOOK_URL');
    expect(JSON.stringify([forbidden, bound])).not.toContain('s3cr3tw3bh00kpath');
    expect(received.length).toBe(before);
  });
});
