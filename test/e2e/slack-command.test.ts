import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/store/db.js';
import { peopleRepo } from '../../runtime/store/people-repo.js';
import { hmacSha256Hex } from '../kit/hmac.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

/**
 * The Slack slash command (`/salve`) on a real server. A loopback stand-in plays Slack: it
 * answers users.info and receives the answers at the command's response_url. The test posts to
 * /api/slack/commands exactly what Slack posts: the form fields of a slash command, signed with
 * the signing secret (v0 HMAC of `v0:<timestamp>:<body>`). In team ops, Oscar is an operator and
 * Vera a viewer; Wendy is an operator of team web only; Nobody's Slack email belongs to no Salve user.
 */
const BOT_TOKEN = 'xoxb-e2e-0000000000-command';
const SIGNING_SECRET = '3c1a9e7f20b84d6aa5e0c2f19d7b6e41';
const PUBLIC_ORIGIN = 'https://salve.example.test';
const SLACK_USERS: Record<string, string> = {
  U0OSCAR: 'Oscar@Example.test',
  U0VERA: 'vera@example.test',
  U0WENDY: 'wendy@example.test',
  U0NOBODY: 'nobody@example.test',
};

const FLOW = {
  format: 'salve.flow/v1',
  id: 'restart-web',
  name: 'Restart web',
  enabled: true,
  nodes: [
    { id: 'by_hand', type: 'source.manual', config: {} },
    { id: 'note', type: 'transform.set', config: { vars: { host: 'event.host' } } },
  ],
  edges: [{ source: 'by_hand', target: 'note' }],
};

describe('Slack slash command end to end', () => {
  let slack: Target;
  let server: TestServer;
  let dataDir: string;
  let sent = 0;

  beforeAll(async () => {
    slack = await startTarget((req) => {
      if (req.url.startsWith('/api/users.info')) {
        if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) };
        const id = new URL(req.url, 'http://x').searchParams.get('user')!;
        const email = SLACK_USERS[id];
        if (!email) return { status: 200, body: JSON.stringify({ ok: false, error: 'user_not_found' }) };
        return { status: 200, body: JSON.stringify({ ok: true, user: { id, deleted: false, is_bot: false, is_email_confirmed: true, profile: { email } } }) };
      }
      return { status: 200, body: 'ok' }; // response_url
    });
    dataDir = tempDataDir();
    const store = openStore(dataDir);
    await store.write((db) => {
      peopleRepo.insertTeam(db, { id: 'ops', name: 'Ops', createdAt: 0 });
      peopleRepo.insertTeam(db, { id: 'web', name: 'Web', createdAt: 0 });
      for (const [name, teamId, role] of [
        ['oscar', 'ops', 'operator'],
        ['vera', 'ops', 'viewer'],
        ['wendy', 'web', 'operator'],
      ] as const) {
        peopleRepo.insertUser(db, { id: `u-${name}`, kind: 'person', username: name, displayName: name, email: `${name}@example.test`, passwordHash: null, oidcIssuer: null, oidcSubject: null, admin: false, disabled: false, createdAt: 0, updatedAt: 0, lastSignInAt: null });
        peopleRepo.replaceMemberships(db, `u-${name}`, 'manual', [{ teamId, role }]);
      }
    });
    store.close();
    server = await startServer({
      dataDir,
      env: {
        SALVE_PUBLIC_ORIGIN: PUBLIC_ORIGIN,
        SALVE_SLACK_API_URL: `${slack.url}/api`,
        SALVE_SECRET_SLACK_BOT_TOKEN: BOT_TOKEN,
        SALVE_SECRET_SLACK_SIGNING_SECRET: SIGNING_SECRET,
      },
    });
    expect((await server.api('POST', '/api/flows?team=ops', FLOW)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) removeDir(dataDir);
    await slack?.close();
  });

  /** What Slack posts when `user` types `/salve <text>`, signed as Slack signs it (or not); each gets its own response_url. */
  async function command(user: string, text: string, opts: { secret?: string } = {}) {
    const responsePath = `/commands/T0SALVE/${user}/${++sent}`;
    const body = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: 'T0SALVE',
      team_domain: 'example',
      channel_id: 'C0OPS',
      channel_name: 'ops',
      user_id: user,
      user_name: user.slice(2).toLowerCase(),
      command: '/salve',
      text,
      api_app_id: 'A0SALVE',
      is_enterprise_install: 'false',
      response_url: `${slack.url}${responsePath}`,
      trigger_id: '1234567890.987654321.abcdef',
    }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = Date.now();
    const res = await fetch(`${server.url}/api/slack/commands`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${hmacSha256Hex(opts.secret ?? SIGNING_SECRET, `v0:${timestamp}:${body}`)}`,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body,
    });
    const answer = await res.text();
    return { status: res.status, answer: res.headers.get('content-type')?.includes('json') ? JSON.parse(answer) : answer, ms: Date.now() - started, responsePath };
  }

  /** The messages Salve posted to one command's response_url, in order. */
  const postedTo = (path: string) => slack.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body));
  const messages = (path: string, count: number, what: string) => waitFor(() => postedTo(path).length >= count && postedTo(path), 15_000, what);
  const runs = async () => (await server.api('GET', '/api/executions?flowId=restart-web')).body.items as { id: string }[];
  const audit = async (action: string) => (await server.api('GET', `/api/audit?action=${action}`)).body.items as { actor: string; via: string; target: string; details: Record<string, unknown> }[];

  it('refuses a wrong signature (401): nobody is looked up and nothing runs', async () => {
    const forged = await command('U0OSCAR', 'run restart-web', { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    expect(forged.answer).toMatchObject({ error: { message: expect.stringMatching(/does not match/) } });
    expect(slack.requests).toEqual([]); // not even users.info was asked
    expect(await runs()).toEqual([]);
  });

  it('answers help and empty text at once with the usage, only to the person', async () => {
    for (const text of ['help', '']) {
      const res = await command('U0VERA', text);
      expect(res.status).toBe(200);
      expect(res.answer.response_type).toBe('ephemeral');
      expect(res.answer.text).toContain('`/salve run <flow-id> [key=value …]`');
      expect(res.answer.text).toContain('`/salve status <run-id>`');
    }
  });

  it('answers bad syntax and an unknown verb with what is wrong and the usage; nothing runs', async () => {
    const bad = await command('U0OSCAR', 'run restart-web summary="disk full');
    expect(bad.answer).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('the quote after summary= is not closed') });
    expect(bad.answer.text).toContain('`/salve run <flow-id> [key=value …]`');
    const unknown = await command('U0OSCAR', 'restart web');
    expect(unknown.answer.text).toMatch(/^unknown command "restart"\n/);
    expect(await runs()).toEqual([]);
  });

  let executionId: string;

  it('starts the flow for an operator with the input typed, and posts the start and the end', async () => {
    const res = await command('U0OSCAR', 'run restart-web host="db 1" labels.instance=db1');
    expect(res.status).toBe(200);
    expect(res.answer).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    expect(res.ms).toBeLessThan(3000);

    const [start] = await messages(res.responsePath, 1, 'the start message');
    executionId = (await runs())[0]!.id;
    expect(start).toEqual({
      response_type: 'in_channel',
      text: `Started run <${PUBLIC_ORIGIN}/#/runs/${executionId}|${executionId}> of Restart web (restart-web), for oscar.`,
    });
    const exec = (await server.api('GET', `/api/executions/${executionId}`)).body;
    expect(exec.alert.raw).toEqual({ host: 'db 1', labels: { instance: 'db1' } });
    expect(exec.alert.labels).toEqual({ instance: 'db1' });

    const [, end] = await messages(res.responsePath, 2, 'the end message');
    const ended = (await server.api('GET', `/api/executions/${executionId}`)).body;
    expect(ended.status).toBe('no_action'); // transform.set has no side effects
    expect(end).toEqual({ response_type: 'in_channel', replace_original: false, text: `Run <${PUBLIC_ORIGIN}/#/runs/${executionId}|${executionId}> of Restart web (restart-web) ended: *no_action*` });

    // Audited like a run from the editor, with who and that it came through Slack.
    const [entry] = await audit('flow.run');
    expect(entry).toMatchObject({ actor: 'oscar', via: 'slack', target: 'restart-web', details: { executionId } });
  });

  it('refuses a viewer: nothing runs, the reason goes to them alone, and the refusal is audited', async () => {
    const res = await command('U0VERA', 'run restart-web host=db2');
    expect(res.answer).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    const [answer] = await messages(res.responsePath, 1, 'the refusal');
    expect(answer).toEqual({
      response_type: 'ephemeral',
      text: 'Salve did not run flow "restart-web": vera needs the role operator (permission runs:operate), and holds it in no team',
    });
    expect((await runs()).map((r) => r.id)).toEqual([executionId]);
    expect(await audit('flow.run.refused')).toContainEqual(
      expect.objectContaining({ actor: 'vera', via: 'slack', target: 'restart-web', details: expect.objectContaining({ slackUser: 'U0VERA', reason: expect.stringContaining('needs the role operator') }) }),
    );
  });

  it('refuses an operator of another team: the role counts in the flow’s team only', async () => {
    const res = await command('U0WENDY', 'run restart-web');
    const [answer] = await messages(res.responsePath, 1, 'the refusal');
    expect(answer).toEqual({ response_type: 'ephemeral', text: 'Salve did not run flow "restart-web": wendy needs the role operator (permission runs:operate) in team "ops"' });
    expect((await runs()).map((r) => r.id)).toEqual([executionId]);
  });

  it('refuses a Slack user no Salve user matches, and a flow that does not exist, saying why', async () => {
    const stranger = await command('U0NOBODY', 'run restart-web');
    const [refused] = await messages(stranger.responsePath, 1, 'the refusal of a stranger');
    expect(refused).toEqual({ response_type: 'ephemeral', text: 'Salve did not run flow "restart-web": no Salve user has the email nobody@example.test' });
    const missing = await command('U0OSCAR', 'run restart-db');
    const [notFound] = await messages(missing.responsePath, 1, 'the refusal of a missing flow');
    expect(notFound).toEqual({ response_type: 'ephemeral', text: 'Salve did not run flow "restart-db": flow "restart-db" not found' });
    expect((await runs()).map((r) => r.id)).toEqual([executionId]);
    const refusals = await audit('flow.run.refused');
    expect(refusals).toContainEqual(expect.objectContaining({ actor: 'slack:U0NOBODY', via: 'slack', target: 'restart-web' }));
    expect(refusals).toContainEqual(expect.objectContaining({ actor: 'oscar', via: 'slack', target: 'restart-db' }));
  });

  it('answers status with the run’s status, flow, times and steps (a viewer may read runs)', async () => {
    const res = await command('U0VERA', `status ${executionId}`);
    expect(res.answer).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    const [answer] = await messages(res.responsePath, 1, 'the status');
    expect(answer.response_type).toBe('ephemeral');
    const lines = answer.text.split('\n');
    expect(lines[0]).toBe(`Run <${PUBLIC_ORIGIN}/#/runs/${executionId}|${executionId}> of Restart web (restart-web): *no_action*`);
    expect(lines[1]).toMatch(/^Started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ · ended \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines.slice(2)).toEqual(['Steps:', '• by_hand: succeeded', '• note: succeeded']);

    const outsider = await command('U0WENDY', `status ${executionId}`);
    const [refused] = await messages(outsider.responsePath, 1, 'the refused status');
    expect(refused).toEqual({
      response_type: 'ephemeral',
      text: `Salve cannot show run ${executionId}: wendy needs the role viewer or operator or editor or approver (permission runs:read) in team "ops"`,
    });

    const missing = await command('U0VERA', 'status ex_nothere');
    const [notFound] = await messages(missing.responsePath, 1, 'the status of a missing run');
    expect(notFound).toEqual({ response_type: 'ephemeral', text: 'Salve cannot show run ex_nothere: there is no run "ex_nothere"' });
  });
});
