import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../runtime/store/db.js';
import { sqliteStore } from '../../runtime/store/store.js';
import { SessionManager } from '../../runtime/http/sessions.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { addUser } from '../kit/store-people.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * Four eyes against a real server: carol (editor and approver) saves a flow whose restart needs
 * two approvals; when its run waits, carol may not approve it (she wrote it), alice and bob can,
 * each once, and only both together let the restart run. Users and their sessions are made in
 * the server's own database (the users API comes separately); everything else goes over HTTP
 * as the editor sends it.
 */
describe('approvals with a quorum, against a real server', () => {
  let server: TestServer;
  let store: SqliteStore;
  const cookies: Record<string, string> = {};

  const as = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { cookie: cookies[who]!, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    server = await startServer();
    store = new SqliteStore(join(server.dataDir, 'salve.db'));
    const sessions = new SessionManager(sqliteStore(store), server.token);
    for (const [username, roles] of [
      ['carol', ['editor', 'approver']],
      ['alice', ['approver']],
      ['bob', ['approver']],
    ] as const) {
      const user = await addUser(store, { username, roles: roles.map((role) => ({ teamId: 'default', role })) });
      const { cookieValue } = await sessions.create({ name: username, via: 'session' }, { userId: user.id });
      cookies[username] = `salve_session=${cookieValue}`;
    }
  });
  afterAll(async () => {
    store?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it("needs two approvers, refuses the flow's author, and each person decides once", async () => {
    const flow = {
      format: 'salve.flow/v1',
      id: 'failover',
      name: 'Fail over the database',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
        { id: 'ask', type: 'approval.request', config: { message: 'Fail over {{ alert.labels.service }}?', quorum: 2 } },
        { id: 'failover', type: 'action.shell', config: { command: ['echo', 'failing over'] } },
      ],
      edges: [
        { source: 'am', target: 'ask' },
        { source: 'ask', sourcePort: 'approved', target: 'failover' },
      ],
    };
    expect((await as('carol', 'POST', '/api/flows', flow)).status).toBe(201);
    const sent = await fetch(`${server.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    expect(sent.status).toBe(202);
    const pending = await waitFor(async () => (await as('alice', 'GET', '/api/approvals?status=pending')).body.items[0], 15_000, 'the approval');
    const executionId = pending.executionId as string;
    expect(pending).toMatchObject({ rules: { quorum: 2, allowSelfApproval: false }, approvals: { count: 0, needed: 2 }, decisions: [], youMayDecide: true });
    expect(pending.planHash).toMatch(/^[0-9a-f]{64}$/);
    const planHash = pending.planHash as string;

    // The author sees why she cannot approve, and is refused if she tries.
    const carolView = (await as('carol', 'GET', `/api/approvals/${pending.id}`)).body;
    expect(carolView).toMatchObject({ youMayDecide: false, youMayReject: true, whyNot: expect.stringContaining('you saved the flow revision') });
    const byAuthor = await as('carol', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve', planHash });
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.error.message).toContain('no self-approval');

    // The editor must say which plan it showed; a stale one is refused.
    const noHash = await as('alice', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve' });
    expect(noHash.status).toBe(422);
    expect(JSON.stringify(noHash.body)).toContain('planHash');
    const stale = await as('alice', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve', planHash: '0'.repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('the plan changed');

    const first = await as('alice', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve', comment: 'replica is in sync', planHash });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'pending',
      approvals: { count: 1, needed: 2 },
      decisions: [{ name: 'alice', decision: 'approve', comment: 'replica is in sync', via: 'session' }],
      youMayDecide: false,
      whyNot: expect.stringContaining('you already decided'),
    });
    expect((await as('alice', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve', planHash })).status).toBe(409);
    const run = (await as('bob', 'GET', `/api/executions/${executionId}`)).body;
    expect(run.steps.some((s: any) => s.nodeId === 'failover')).toBe(false);
    expect(run.approvals[0]).toMatchObject({ approvals: { count: 1, needed: 2 }, youMayDecide: true });

    const second = await as('bob', 'POST', `/api/approvals/${pending.id}`, { decision: 'approve', planHash });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'approved', decidedBy: 'bob', approvals: { count: 2, needed: 2 } });
    await waitFor(
      async () => (await as('bob', 'GET', `/api/executions/${executionId}`)).body.steps.find((s: any) => s.nodeId === 'failover' && s.status === 'succeeded'),
      15_000,
      'the fail-over to run',
    );

    // Each decision and each refusal is in the audit log, with who and how far the quorum got.
    const audit = (await server.api('GET', '/api/audit?action=approval.*')).body.items.reverse();
    expect(audit.map((r: any) => [r.action, r.actor, r.details.approvals ?? r.details.reason])).toEqual([
      ['approval.refused', 'carol', expect.stringContaining('no self-approval')],
      ['approval.refused', 'alice', expect.stringContaining('the plan changed')],
      ['approval.approve', 'alice', '1 of 2'],
      ['approval.refused', 'alice', expect.stringContaining('already decided')],
      ['approval.approve', 'bob', '2 of 2'],
    ]);
  });
});
