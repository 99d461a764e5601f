import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engine/engine.js';
import { secretStoreFrom } from '../../engine/secrets/secrets.js';
import { createLogger } from '../../log.js';
import { installErrorHandling } from '../errors.js';
import { slackRoutes } from '../routes-slack.js';
import { SlackCommands } from './commands.js';
import type { SlackInteractions } from './interactions.js';
import { slackSignature } from './signature.js';

/**
 * POST /api/slack/commands before anything acts: what is refused (and that nothing starts), and
 * what is answered at once. The acting itself (Slack users, roles, runs) is in
 * test/e2e/slack-command.test.ts.
 */
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.parse('2026-12-05T10:00:00Z');
const log = createLogger({ level: 'silent' });

function setup(secrets: Record<string, string> = { SLACK_SIGNING_SECRET: SECRET }) {
  const store = secretStoreFrom(secrets);
  // The engine is never reached before `start`, which is replaced to record what would be acted on.
  const commands = new SlackCommands({ engine: {} as Engine, log, secrets: store, now: () => NOW });
  const started: unknown[] = [];
  commands.start = (_form, command) => {
    started.push(command);
  };
  const app = new Hono();
  installErrorHandling(app, log);
  app.route('/api/slack', slackRoutes({ interactions: {} as SlackInteractions, commands, secrets: store, log, now: () => NOW }));
  return { app, started };
}

const form = (fields: Record<string, string>) =>
  new URLSearchParams({ command: '/salve', user_id: 'U0OSCAR', team_id: 'T0', channel_id: 'C0', response_url: 'https://hooks.slack.com/commands/T0/1/abc', ...fields }).toString();

function post(app: Hono, body: string, opts: { timestamp?: number; secret?: string; contentType?: string } = {}) {
  const timestamp = String(opts.timestamp ?? NOW / 1000);
  return app.request('/api/slack/commands', {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(opts.secret ?? SECRET, timestamp, body),
    },
    body,
  });
}

describe('POST /api/slack/commands', () => {
  it('answers 503 without the signing secret (fail closed), and starts nothing', async () => {
    const { app, started } = setup({});
    const res = await post(app, form({ text: 'run restart-web' }));
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toBe("The Slack command is not set up: set the secret SLACK_SIGNING_SECRET (the Slack app's signing secret)");
    expect(started).toEqual([]);
  });

  it('refuses a wrong signature, a stale timestamp, another media type and a body over 64 KiB', async () => {
    const { app, started } = setup();
    const body = form({ text: 'run restart-web' });
    const forged = await post(app, body, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.message).toMatch(/does not match the body/);
    const stale = await post(app, body, { timestamp: NOW / 1000 - 6 * 60 });
    expect(stale.status).toBe(401);
    expect((await stale.json()).error.message).toMatch(/more than 5 minutes from now/);
    expect((await post(app, body, { contentType: 'application/json' })).status).toBe(415);
    expect((await post(app, form({ text: `run restart-web note="${'x'.repeat(64 * 1024)}"` }))).status).toBe(413);
    expect(started).toEqual([]);
  });

  it('answers help and bad syntax at once with the usage, only to the person', async () => {
    const { app, started } = setup();
    const help = await post(app, form({ text: 'help', command: '/ops' }));
    expect(help.status).toBe(200);
    const answer = await help.json();
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/^`\/ops run <flow-id> \[key=value …\]`/);
    const bad = await (await post(app, form({ text: 'run restart-web "x"' }))).json();
    expect(bad).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^unexpected quote in ": only values are quoted, as key="two words"\n`\/salve run/) });
    expect(started).toEqual([]);
  });

  it('starts run and status after answering "Working on it…"', async () => {
    const { app, started } = setup();
    const res = await post(app, form({ text: 'run restart-web host="db 1"' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    await post(app, form({ text: 'status ex_1' }));
    expect(started).toEqual([
      { verb: 'run', flowId: 'restart-web', input: { host: 'db 1' } },
      { verb: 'status', runId: 'ex_1' },
    ]);
  });

  it('does nothing for a response_url that is not Slack’s, nor for a form that is not a slash command', async () => {
    const { app, started } = setup();
    const elsewhere = await post(app, form({ text: 'run restart-web', response_url: 'https://attacker.example/collect' }));
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).error.message).toMatch(/answers only to Slack’s https:\/\/hooks\.slack\.com/);
    const noUser = await post(app, new URLSearchParams({ text: 'run restart-web', response_url: 'https://hooks.slack.com/commands/T0/1/abc' }).toString());
    expect(noUser.status).toBe(400);
    expect((await noUser.json()).error.message).toMatch(/user_id is required/);
    expect(started).toEqual([]);
  });
});
