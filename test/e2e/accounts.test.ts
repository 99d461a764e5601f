import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amSource, flowDoc } from '../kit/flow.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'salve.js');
const PASSWORD = 'ana has a long password';

/** Runs the `salve` bin as an operator would. */
function salve(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * People and teams against the real server (issue 12): an admin makes a team and a user, the
 * user signs in with a password and sees only their team's flows, uses an API token within its
 * roles, ends a session of their own, and is disabled; the sign-in limit survives a restart.
 */
describe('accounts on a real server', () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  /** A request as a signed-in browser (cookie + Origin) or with a bearer token; JSON in and out. */
  async function as(who: { cookie: string } | { bearer: string }, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = 'cookie' in who ? { cookie: who.cookie, origin: server.url, 'content-type': 'application/json' } : { authorization: `Bearer ${who.bearer}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function signIn(username: string, password: string) {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, 'user-agent': 'e2e-browser' },
      body: JSON.stringify({ username, password }),
    });
    const cookie = /^(salve_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    return { status: res.status, body: await res.json(), cookie: cookie ?? '' };
  }

  it('a user of one team signs in, sees only that team, is limited by a token, ends a session and is disabled', async () => {
    expect((await server.api('POST', '/api/teams', { id: 'payments', name: 'Payments' })).status).toBe(201);
    expect((await server.api('POST', '/api/teams', { id: 'search', name: 'Search' })).status).toBe(201);
    expect((await server.api('POST', '/api/flows?team=payments', flowDoc({ id: 'pay', source: amSource({ path: 'pay' }) }))).status).toBe(201);
    expect((await server.api('POST', '/api/flows?team=search', flowDoc({ id: 'find', source: amSource({ path: 'find' }) }))).status).toBe(201);
    const created = await server.api('POST', '/api/users', {
      username: 'ana',
      displayName: 'Ana Lima',
      password: PASSWORD,
      roles: [{ team: 'payments', roles: ['viewer', 'editor'] }],
    });
    expect(created.status).toBe(201);

    const first = await signIn('ana', PASSWORD);
    expect(first.status).toBe(200);
    const ana = { cookie: first.cookie };
    expect((await as(ana, 'GET', '/api/me')).body).toMatchObject({ kind: 'user', user: { username: 'ana' }, teams: [{ id: 'payments', roles: ['viewer', 'editor'] }] });
    expect((await as(ana, 'GET', '/api/flows')).body.items.map((f: { id: string }) => f.id)).toEqual(['pay']);
    expect((await as(ana, 'GET', '/api/flows/find')).status).toBe(403);
    expect((await as(ana, 'GET', '/api/flows/pay')).status).toBe(200);

    // A viewer token of an editor: reads, never writes.
    const made = await as(ana, 'POST', '/api/tokens', { name: 'dashboard', team: 'payments', roles: ['viewer'], expiresInDays: 7 });
    expect(made.status).toBe(201);
    const token = { bearer: made.body.token as string };
    const pay = await as(token, 'GET', '/api/flows/pay');
    expect(pay.status).toBe(200);
    expect((await as(token, 'PUT', '/api/flows/pay', { flow: { ...pay.body.flow, name: 'changed' }, revision: pay.body.revision })).status).toBe(403);
    expect((await as(token, 'GET', '/api/flows/find')).status).toBe(403);

    // A second session (another browser), ended from the first.
    const second = { cookie: (await signIn('ana', PASSWORD)).cookie };
    const sessions = (await as(ana, 'GET', '/api/me/sessions')).body.items as { id: string; current: boolean; userAgent: string }[];
    expect(sessions).toHaveLength(2);
    const other = sessions.find((s) => !s.current)!;
    expect(other.userAgent).toBe('e2e-browser');
    expect((await as(ana, 'DELETE', `/api/me/sessions/${other.id}`)).status).toBe(204);
    expect((await as(second, 'GET', '/api/me')).status).toBe(401);
    expect((await as(ana, 'GET', '/api/me')).status).toBe(200);

    // Disabled by the admin: the cookie and the token stop working at once.
    expect((await server.api('PATCH', `/api/users/${created.body.id}`, { disabled: true })).status).toBe(200);
    expect((await as(ana, 'GET', '/api/flows')).status).toBe(401);
    expect((await as(token, 'GET', '/api/flows')).status).toBe(401);
    expect(await signIn('ana', PASSWORD)).toMatchObject({ status: 401, body: { error: { message: 'this account is disabled' } } });

    const audit = (await server.api('GET', '/api/audit?limit=200')).body.items.map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`);
    for (const line of ['admin user.create', 'ana session.sign_in', 'ana token.create', 'ana session.end', 'admin user.update']) expect(audit).toContain(line);
  });

  it('salve users and salve teams manage accounts beside the running server', async () => {
    expect((await salve(['teams', 'add', 'ops', '--name', 'Operations', '--data', dataDir])).code).toBe(0);
    const added = await salve(['users', 'add', 'carol', '--display-name', 'Carol', '--team', 'ops', '--role', 'viewer,operator', '--data', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    const password = /shown once[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const carol = await signIn('carol', password!);
    expect(carol.status).toBe(200);
    expect((await as({ cookie: carol.cookie }, 'GET', '/api/me')).body.teams).toEqual([{ id: 'ops', name: 'Operations', roles: ['viewer', 'operator'] }]);

    const fromStdin = await salve(['users', 'add', 'dan', '--display-name', 'Dan', '--password-stdin', '--data', dataDir], 'dan types a long one\n');
    expect(fromStdin.stdout).not.toContain('shown once');
    expect((await signIn('dan', 'dan types a long one')).status).toBe(200);
    const list = await salve(['users', 'list', '--data', dataDir]);
    expect(list.stdout).toMatch(/^carol\tCarol\tops:viewer\+operator\tlast sign-in 20/m);
    expect((await salve(['teams', 'list', '--data', dataDir])).stdout).toContain('ops\tOperations\t1 member(s)\t0 flow(s)');
    const taken = await salve(['users', 'add', 'carol', '--display-name', 'Again', '--data', dataDir]);
    expect([taken.code, taken.stderr]).toEqual([1, 'salve: username "carol" is taken\n']);

    expect((await salve(['users', 'disable', 'carol', '--data', dataDir])).code).toBe(0);
    expect((await as({ cookie: carol.cookie }, 'GET', '/api/me')).status).toBe(401);
    const audit = (await server.api('GET', '/api/audit?via=cli')).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(['user.update', 'user.create', 'user.create', 'team.create']);
  }, 120_000); // each `salve` command starts Node (a few seconds on a busy machine)

  it('limits password guessing per address, persisted across a restart', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn('dan', `guess ${i} of many`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT key, failures FROM auth_failures WHERE key LIKE 'password:%'").all()).toEqual([{ key: expect.stringMatching(/^password:/), failures: 10 }]);
    } finally {
      db.close();
    }
    await server.stop();
    server = await startServer({ dataDir, token: server.token });
    const after = await signIn('dan', 'dan types a long one');
    expect(after.status).toBe(429); // the right password too: a limited address learns nothing
    // Bearer clients are not refused for it.
    expect((await server.api('GET', '/api/me')).status).toBe(200);
  });
});
