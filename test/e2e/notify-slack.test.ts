import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * The shipped example examples/slack-then-reply.json on a real server, with a loopback stand-in
 * for Slack's chat.postMessage and one for the host agent: the alert is posted to #ops, the agent
 * cleans up, and the second Slack step replies in the first message's thread. The bot token
 * reaches Slack but no stored step, event or API answer.
 */
describe('notify.slack end to end (examples/slack-then-reply.json)', () => {
  const TOKEN = 'xoxb-e2e-0000000000-abcdefghijklmnop';
  let slack: Target;
  let agent: Target;
  let server: TestServer;
  let nextTs = 1;

  beforeAll(async () => {
    slack = await startTarget((req) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) };
      const post = JSON.parse(req.body) as { channel: string };
      if (post.channel !== '#ops' && post.channel !== 'C0OPS') return { status: 200, body: JSON.stringify({ ok: false, error: 'channel_not_found' }) };
      return { status: 200, body: JSON.stringify({ ok: true, channel: 'C0OPS', ts: `1764900000.00000${nextTs++}` }) };
    });
    agent = await startTarget(() => ({ status: 200, body: '{"freed":"12G"}' }));
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_AM_TOKEN: 'am-token-0123456789',
        SALVE_SECRET_SLACK_BOT_TOKEN: TOKEN,
        SALVE_SECRET_SLACK_BOT_TOKEN_HOSTS: '127.0.0.1',
      },
    });
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'slack-then-reply.json'), 'utf8'));
    // The example points at Slack; here both Slack steps talk to the stand-in.
    for (const node of example.nodes) if (node.type === 'notify.slack') node.config.apiUrl = `${slack.url}/api`;
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await slack?.close();
    await agent?.close();
  });

  it('posts the alert to #ops, cleans up, and replies in the first message’s thread', async () => {
    const instance = agent.url.replace('http://', '');
    const res = await fetch(`${server.url}/hooks/slack`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ instance })])),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    const exec = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return e.status === 'succeeded' ? e : undefined;
    }, 15_000, 'the run to finish');
    expect(exec.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['am', 'disk', 'tell_slack', 'clean_disk', 'cleaned']);
    expect(agent.requests).toHaveLength(1);

    expect(slack.requests).toHaveLength(2);
    const [first, reply] = slack.requests.map((r) => ({ ...r, post: JSON.parse(r.body) }));
    expect(first!.url).toBe('/api/chat.postMessage');
    expect(first!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first!.post).toMatchObject({ channel: '#ops', text: `DiskFull on ${instance}: Disk almost full on ${instance}. Cleaning up temporary files.` });
    expect(first!.post).not.toHaveProperty('thread_ts');
    expect(first!.post.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'DiskFull', emoji: true } });
    // The reply goes under the first message: Slack's channel id and the first message's ts.
    expect(reply!.post).toMatchObject({ channel: 'C0OPS', thread_ts: '1764900000.000001', text: `Cleaned up ${instance}: the agent answered 200.` });

    const step = (id: string) => exec.steps.find((s: { nodeId: string }) => s.nodeId === id);
    expect(step('tell_slack').output).toMatchObject({ via: 'bot', to: '#ops', channel: 'C0OPS', ts: '1764900000.000001', ok: true, status: 200 });
    expect(step('cleaned').output).toMatchObject({ via: 'bot', channel: 'C0OPS', ts: '1764900000.000002', threadTs: '1764900000.000001', ok: true });
    // The token reached Slack, and nothing Salve stores or answers.
    expect(slack.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const everything = JSON.stringify([exec, (await server.api('GET', '/api/events')).body, (await server.api('GET', '/api/flows/slack-then-reply')).body]);
    expect(everything).not.toContain(TOKEN);
  });
});
