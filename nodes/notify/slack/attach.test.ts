import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { SlackNotifyConfigSchema, type SlackNotifyConfig } from './definition.js';
import { executeSlackNotify } from './execute.js';
import { uploadUrlProblem } from './upload.js';

/**
 * notify.slack's `attach` against a loopback stand-in that answers Slack's file methods as Slack
 * documents them: files.getUploadURLExternal takes a form (filename, length) and gives an upload
 * URL and a file id; the upload URL takes the bytes (no token); files.completeUploadExternal takes
 * JSON (files, channel_id, thread_ts) and shares them.
 */
const TOKEN = 'xoxb-0000000000-attach-token';
interface Seen {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}
const seen: Seen[] = [];
const uploads = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
let scope = 'files:write';
let uploadHost = '';
let port = 0;
let nextId = 1;
/** Web API file methods answer 429 (Retry-After: 0) this many more times. */
let limited = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const path = req.url!;
    seen.push({ path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
    const json = (payload: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
    };
    if (path.startsWith('/upload/')) {
      const entry = uploads.get(path.slice('/upload/'.length));
      if (!entry || body.length !== entry.length) {
        res.writeHead(400);
        return res.end('bad upload');
      }
      entry.bytes = body;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`OK - ${body.length}`);
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json({ ok: false, error: 'invalid_auth' });
    if (path.startsWith('/api/files.') && limited > 0) {
      limited--;
      res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    if (path === '/api/chat.postMessage') return json({ ok: true, channel: 'C0OPS', ts: '1700000000.000100' });
    if (path === '/api/files.getUploadURLExternal') {
      if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return json({ ok: false, error: 'invalid_form_data' });
      if (!scope.includes('files:write')) return json({ ok: false, error: 'missing_scope', needed: 'files:write' });
      const form = new URLSearchParams(body.toString('utf8'));
      const id = `F0${nextId++}`;
      uploads.set(id, { filename: form.get('filename') ?? '', length: Number(form.get('length')) });
      return json({ ok: true, upload_url: `http://${uploadHost || `slack.test:${port}`}/upload/${id}`, file_id: id });
    }
    if (path === '/api/files.completeUploadExternal') {
      const request = JSON.parse(body.toString('utf8')) as { files: { id: string; title: string }[]; channel_id: string; thread_ts: string };
      const missing = request.files.find((f) => !uploads.get(f.id)?.bytes);
      if (missing) return json({ ok: false, error: 'file_not_found' });
      return json({ ok: true, files: request.files.map((f) => ({ id: f.id, title: f.title })) });
    }
    json({ ok: false, error: 'unknown_method' });
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
  seen.length = 0;
  scope = 'files:write';
  uploadHost = '';
  limited = 0;
});

const resolver: Resolver = async (host) => {
  if (host === 'slack.test' || host === 'evil.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

const LOG = 'panic: out of memory\nexit 137\n';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
const STEPS = {
  logs: { attachment: { name: 'api-0.log', mediaType: 'text/plain', encoding: 'utf8', size: Buffer.byteLength(LOG), content: LOG } },
  graph: { attachment: { name: 'cpu.png', mediaType: 'image/png', encoding: 'base64', size: PNG.length, content: PNG.toString('base64') } },
};

function step(attach: string[]) {
  const parsed = SlackNotifyConfigSchema.parse({ auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' }, apiUrl: `http://slack.test:${port}/api`, attach });
  const config = { ...parsed, auth: { ...parsed.auth, token: TOKEN } } as Resolved<SlackNotifyConfig>;
  const policy = new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: (name) => (name === 'SLACK_BOT_TOKEN' ? ['slack.test'] : undefined), resolver });
  const ctx: ExecContext = testContext({
    secrets: [{ name: 'SLACK_BOT_TOKEN', path: ['auth', 'token'] }],
    network: policy.forStep({ secrets: ['SLACK_BOT_TOKEN'] }),
    vars: { steps: STEPS },
  });
  return executeSlackNotify(config, ctx);
}

describe('notify.slack attach', () => {
  it('posts the message, then uploads each file into its thread the way Slack documents, the token never going to the upload URL', async () => {
    const outcome = await step(['logs', 'graph']);
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { ts: '1700000000.000100', attached: ['api-0.log', 'cpu.png'] } });
    expect(seen.map((s) => s.path.replace(/F0\d+/, 'F'))).toEqual([
      '/api/chat.postMessage',
      '/api/files.getUploadURLExternal',
      '/upload/F',
      '/api/files.getUploadURLExternal',
      '/upload/F',
      '/api/files.completeUploadExternal',
    ]);
    expect(new URLSearchParams(seen[1]!.body.toString()).get('filename')).toBe('api-0.log');
    expect(new URLSearchParams(seen[1]!.body.toString()).get('length')).toBe(String(Buffer.byteLength(LOG)));
    expect(seen[2]!.authorization).toBeUndefined();
    expect(seen[2]!.body.toString('utf8')).toBe(LOG);
    expect(seen[4]!.body.equals(PNG)).toBe(true);
    const complete = JSON.parse(seen[5]!.body.toString()) as Record<string, unknown>;
    expect(complete).toMatchObject({ channel_id: 'C0OPS', thread_ts: '1700000000.000100', files: [{ title: 'api-0.log' }, { title: 'cpu.png' }] });
  });

  it('waits out Slack’s 429 on the file methods (Retry-After) and sends again', async () => {
    limited = 2;
    const outcome = await step(['logs']);
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { attached: ['api-0.log'] } });
    expect(seen.map((s) => s.path.replace(/F0\d+/, 'F'))).toEqual([
      '/api/chat.postMessage',
      '/api/files.getUploadURLExternal',
      '/api/files.getUploadURLExternal',
      '/api/files.getUploadURLExternal',
      '/upload/F',
      '/api/files.completeUploadExternal',
    ]);
  });

  it('posts nothing when a listed step made no file', async () => {
    const outcome = await step(['logs', 'tell_slack']);
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: 'attach: step "tell_slack" has not run in this run, so there is nothing to attach; nothing was posted' });
    expect(seen).toEqual([]);
  });

  it('says the message went out but the files did not when the token lacks files:write', async () => {
    scope = 'chat:write';
    const outcome = await step(['logs']);
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { ts: '1700000000.000100' } });
    expect((outcome as { error: string }).error).toBe(
      'the message was posted, but its files were not: Slack refused to take api-0.log (files.getUploadURLExternal): missing_scope (the bot token needs files:write)',
    );
  });

  it('never sends the bytes to an upload URL on another host', async () => {
    uploadHost = `evil.test:${port}`;
    const outcome = await step(['logs']);
    expect((outcome as { error: string }).error).toMatch(/Slack gave an upload URL on http:\/\/evil\.test:\d+, not http:\/\/slack\.test; it was not used/);
    expect(seen.some((s) => s.path.startsWith('/upload/'))).toBe(false);
  });

  it('refuses attach with an incoming webhook, naming the field', () => {
    const parsed = SlackNotifyConfigSchema.safeParse({ auth: { type: 'webhook', url: { secret: 'SLACK_WEBHOOK_URL' } }, attach: ['logs'] });
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['attach', 'needs a bot token: an incoming webhook cannot upload files']]);
  });
});

describe('uploadUrlProblem', () => {
  it('takes only files.slack.com over https from Slack’s own API', () => {
    const api = new URL('https://slack.com/api');
    expect(uploadUrlProblem(api, 'https://files.slack.com/upload/v1/ABC')).toBeUndefined();
    expect(uploadUrlProblem(api, 'http://files.slack.com/upload/v1/ABC')).toBeDefined();
    expect(uploadUrlProblem(api, 'https://files.slack.com.evil.example/upload')).toBeDefined();
    expect(uploadUrlProblem(api, 'https://169.254.169.254/latest/meta-data')).toBeDefined();
    expect(uploadUrlProblem(api, 'not a url')).toBe('Slack gave an upload URL that is not a URL');
  });
});
