import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/store/db.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { hmacSha256Hex } from '../kit/hmac.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * Slack Approve/Reject buttons on a real server. A loopback stand-in plays Slack: it takes the
 * message (chat.postMessage), answers users.info, and receives the message updates at the
 * click's response_url. The test posts to /api/slack/interactions exactly what Slack posts: a
 * form-encoded `payload=<JSON>` block_actions body, signed with the signing secret (v0 HMAC of
 * `v0:<timestamp>:<body>`). Alice and Bob approve in team ops (quorum 2); Mallory's Slack email
 * is not confirmed.
 */
const BOT_TOKEN = 'xoxb-e2e-0000000000-buttons';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_USERS: Record<string, { email: string; confirmed: boolean }> = {
  U0ALICE: { email: 'Alice@Example.test', confirmed: true },
  U0BOB: { email: 'bob@example.test', confirmed: true },
  U0MALLORY: { email: 'alice@example.test', confirmed: false },
};

const flow = (slackApi: string) => ({
  format: 'salve.flow/v1',
  id: 'restart-db',
  name: 'Restart db',
  enabled: true,
  nodes: [
    { id: 'run', type: 'source.manual', config: {} },
    { id: 'ask', type: 'approval.request', config: { message: 'Restart db?', timeoutSeconds: 900, quorum: 2 } },
    {
      id: 'tell_slack',
      type: 'notify.slack',
      config: { auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' }, text: 'Restart db? Decide here or at {{ approval.link }}', approvalButtons: 'ask', apiUrl: slackApi },
    },
    { id: 'done', type: 'transform.set', config: { vars: { restarted: 'true' } } },
  ],
  edges: [
    { source: 'run', target: 'ask' },
    { source: 'run', target: 'tell_slack' },
    { source: 'ask', target: 'done', sourcePort: 'approved' },
  ],
});

describe('Slack Approve/Reject buttons end to end', () => {
  let slack: Target;
  let server: TestServer;
  let dataDir: string;
  let executionId: string;
  let post: { text: string; blocks: { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[] };

  beforeAll(async () => {
    slack = await startTarget((req) => {
      if (req.url === '/api/chat.postMessage') return { status: 200, body: JSON.stringify({ ok: true, channel: 'C0OPS', ts: '1764900000.000100' }) };
      if (req.url.startsWith('/api/users.info')) {
        if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) };
        const id = new URL(req.url, 'http://x').searchParams.get('user')!;
        const user = SLACK_USERS[id];
        if (!user) return { status: 200, body: JSON.stringify({ ok: false, error: 'user_not_found' }) };
        return { status: 200, body: JSON.stringify({ ok: true, user: { id, deleted: false, is_bot: false, is_email_confirmed: user.confirmed, profile: { email: user.email } } }) };
      }
      return { status: 200, body: 'ok' }; // response_url
    });
    // People exist before the server starts (as an admin would have created them).
    dataDir = tempDataDir();
    const store = openStore(dataDir);
    await store.write((db) => {
      peopleRepo.insertTeam(db, { id: 'ops', name: 'Ops', createdAt: 0 });
      for (const name of ['alice', 'bob']) {
        peopleRepo.insertUser(db, { id: `u-${name}`, kind: 'person', username: name, displayName: name, email: `${name}@example.test`, passwordHash: null, oidcIssuer: null, oidcSubject: null, admin: false, disabled: false, createdAt: 0, updatedAt: 0, lastSignInAt: null });
        peopleRepo.replaceMemberships(db, `u-${name}`, 'manual', [{ teamId: 'ops', role: 'approver' }]);
      }
    });
    store.close();
    server = await startServer({
      dataDir,
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_PUBLIC_ORIGIN: 'https://salve.example.test',
        SALVE_SLACK_API_URL: `${slack.url}/api`,
        SALVE_SECRET_SLACK_BOT_TOKEN: BOT_TOKEN,
        SALVE_SECRET_SLACK_BOT_TOKEN_HOSTS: '127.0.0.1',
        SALVE_SECRET_SLACK_SIGNING_SECRET: SIGNING_SECRET,
      },
    });
    expect((await server.api('POST', '/api/flows?team=ops', flow(`${slack.url}/api`))).status).toBe(201);
    const run = await server.api('POST', '/api/flows/restart-db/run', { payload: {} });
    expect(run.status).toBe(202);
    executionId = run.body.executionId;
    const sent = await waitFor(() => slack.requests.find((r) => r.url === '/api/chat.postMessage'), 15_000, 'the Slack message');
    post = JSON.parse(sent.body);
    await waitFor(async () => (await server.api('GET', `/api/executions/${executionId}`)).body.approvals?.[0], 15_000, 'the approval');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) removeDir(dataDir);
    await slack?.close();
  });

  /** What Slack posts when `user` clicks `actionId` on the message, signed as Slack signs it (or not). */
  async function click(user: string, actionId: string, opts: { secret?: string; timestamp?: number; responsePath?: string } = {}) {
    const buttons = post.blocks.find((b) => b.block_id === 'salve_approval')!;
    const button = buttons.elements!.find((e) => e.action_id === actionId)!;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0SALVE' },
      api_app_id: 'A0SALVE',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: '1764900000.000100', channel_id: 'C0OPS', is_ephemeral: false },
      trigger_id: '1234567890.987654321.abcdef',
      team: { id: 'T0SALVE', domain: 'example' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0OPS', name: 'ops' },
      message: { type: 'message', subtype: 'bot_message', ts: '1764900000.000100', bot_id: 'B0SALVE', text: post.text, blocks: post.blocks },
      state: { values: {} },
      response_url: `${slack.url}${opts.responsePath ?? `/actions/T0SALVE/${user}/response`}`,
      actions: [{ ...button, block_id: 'salve_approval', type: 'button', action_ts: '1764900010.000200' }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const started = Date.now();
    const res = await fetch(`${server.url}/api/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${hmacSha256Hex(opts.secret ?? SIGNING_SECRET, `v0:${timestamp}:${body}`)}`,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body,
    });
    return { status: res.status, text: await res.text(), ms: Date.now() - started };
  }

  const responsesTo = (user: string) => slack.requests.filter((r) => r.url === `/actions/T0SALVE/${user}/response`).map((r) => JSON.parse(r.body));
  const approval = async () => (await server.api('GET', `/api/executions/${executionId}`)).body.approvals[0];

  it('posts the message with Approve and Reject buttons for the approval, and its link', () => {
    const buttons = post.blocks.find((b) => b.block_id === 'salve_approval')!;
    expect(buttons.elements!.map((e) => e.action_id)).toEqual(['salve_approve', 'salve_reject']);
    expect(JSON.parse(buttons.elements![0]!.value)).toMatchObject({ e: executionId, n: 'ask' });
    expect(post.text).toMatch(/^Restart db\? Decide here or at https:\/\/salve\.example\.test\/#\/approvals\?link=/);
  });

  it('refuses a wrong signature and a stale timestamp (401) and changes nothing', async () => {
    const lookups = slack.requests.length;
    const forged = await click('U0ALICE', 'salve_approve', { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    expect(forged.text).toMatch(/does not match/);
    const stale = await click('U0ALICE', 'salve_approve', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(stale.text).toMatch(/5 minutes/);
    expect(slack.requests.length).toBe(lookups); // not even users.info was asked
    expect(await approval()).toMatchObject({ status: 'pending', decisions: [] });
  });

  it('tells a clicker whose Slack email is not confirmed why, only to them, and decides nothing', async () => {
    const res = await click('U0MALLORY', 'salve_approve');
    expect(res.status).toBe(200);
    const [answer] = await waitFor(() => responsesTo('U0MALLORY').length > 0 && responsesTo('U0MALLORY'), 10_000, 'the ephemeral answer');
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('is not confirmed in Slack') });
    expect(await approval()).toMatchObject({ status: 'pending', decisions: [] });
  });

  it('counts Alice’s approval, updates the message with the quorum progress, and refuses her second click', async () => {
    const res = await click('U0ALICE', 'salve_approve');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const [update] = await waitFor(() => responsesTo('U0ALICE').length > 0 && responsesTo('U0ALICE'), 10_000, 'the message update');
    expect(update.replace_original).toBe(true);
    // The buttons stay (one more approval is needed), with who approved so far under them.
    expect(update.blocks.some((b: { block_id?: string }) => b.block_id === 'salve_approval')).toBe(true);
    expect(JSON.stringify(update.blocks)).toContain('alice approved (1 of 2 approvals); waiting for 1 more');
    expect(await approval()).toMatchObject({ status: 'pending', approvals: { count: 1, needed: 2 }, decisions: [{ name: 'alice', decider: 'user:u-alice', decision: 'approve', via: 'slack' }] });

    await click('U0ALICE', 'salve_approve');
    const again = await waitFor(() => responsesTo('U0ALICE').length > 1 && responsesTo('U0ALICE')[1], 10_000, 'the second answer');
    expect(again).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/already/) });
  });

  it('approves with Bob’s click, replaces the buttons with who decided, and the run goes on', async () => {
    await click('U0BOB', 'salve_approve');
    const [update] = await waitFor(() => responsesTo('U0BOB').length > 0 && responsesTo('U0BOB'), 10_000, 'the message update');
    expect(update.blocks.some((b: { block_id?: string }) => b.block_id === 'salve_approval')).toBe(false);
    expect(JSON.stringify(update.blocks)).toContain('Approved by bob (2 of 2 approvals)');
    const exec = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${executionId}`)).body;
      return e.status === 'succeeded' && e;
    }, 15_000, 'the run to finish');
    expect(exec.steps.map((s: { nodeId: string }) => s.nodeId)).toContain('done');
    const audit = (await server.api('GET', '/api/audit?action=approval.*')).body.items;
    expect(audit.filter((r: { via: string; action: string }) => r.via === 'slack' && r.action === 'approval.approve').map((r: { actor: string }) => r.actor).sort()).toEqual(['alice', 'bob']);
    expect(audit.some((r: { actor: string; action: string }) => r.actor === 'slack:U0MALLORY' && r.action === 'approval.refused')).toBe(true);
  });
});
