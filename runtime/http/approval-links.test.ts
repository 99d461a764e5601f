import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { secretStoreFromEnv } from '../engine/secrets/secrets.js';
import { openStoredSecrets } from '../engine/secrets/stored-secrets.js';
import { sqliteStore } from '../store/store.js';
import { approvalsRepo } from '../store/approvals-repo.js';
import { auditRepo } from '../store/audit-repo.js';
import { SqliteStore } from '../store/db.js';
import { peopleRepo } from '../store/people-repo.js';
import { stepsRepo } from '../store/steps-repo.js';
import { ManualClock } from '../../test/kit/engine.js';
import { waitFor } from '../../test/kit/wait.js';
import { createApp } from './app.js';
import { SessionManager } from './sessions.js';

const TOKEN = 'the-admin-token-0123456789';
const ORIGIN = 'https://salve.example.test';

/**
 * A flow whose run asks two approvers, and beside the approval computes `approval.link` (what a
 * notification would send). Alice, Bob and Dave approve in team `ops`; Vic only views.
 */
const flow = {
  format: 'salve.flow/v1',
  id: 'restart-db',
  name: 'Restart db',
  enabled: true,
  nodes: [
    { id: 'run', type: 'source.manual', config: {} },
    { id: 'ask', type: 'approval.request', config: { message: 'Restart db?', timeoutSeconds: 900, quorum: 2 } },
    { id: 'note', type: 'transform.set', config: { vars: { link: 'approval.link', byNode: 'approval.links.ask' } } },
  ],
  edges: [
    { source: 'run', target: 'ask' },
    { source: 'run', target: 'note' },
  ],
};

let stop: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function setup() {
  const clock = new ManualClock(Date.parse('2026-12-05T09:00:00Z'));
  const store = new SqliteStore(':memory:');
  const log = pino({ level: 'silent' });
  const { stored } = await openStoredSecrets({ store: sqliteStore(store), dataDir: '/nonexistent', envKey: Buffer.alloc(32, 9).toString('base64'), env: {}, environment: secretStoreFromEnv({}), now: () => clock.now(), log });
  const engine = new Engine({ store, clock, log, secrets: stored.all, maxConcurrent: 2, executionDeadlineMs: 3_600_000, tickMs: 3_600_000, scheduleTimers: false, publicOrigin: ORIGIN, linkKey: stored.linkKey() });
  const app = createApp({ engine, log, adminToken: TOKEN, hookBodyLimitBytes: 64 * 1024, version: 'test', publicOrigin: ORIGIN, now: () => clock.now(), storedSecrets: stored });
  await engine.start();
  stop = () => engine.shutdown(0);
  const sessions = new SessionManager(engine.store, TOKEN, () => clock.now());
  const cookies = new Map<string, string>();
  await store.write((db) => peopleRepo.insertTeam(db, { id: 'ops', name: 'Ops', createdAt: 0 }));
  for (const [name, role] of [['alice', 'approver'], ['bob', 'approver'], ['dave', 'approver'], ['vic', 'viewer']] as const) {
    await store.write((db) => {
      peopleRepo.insertUser(db, { id: `u-${name}`, kind: 'person', username: name, displayName: name, email: `${name}@example.test`, passwordHash: null, oidcIssuer: null, oidcSubject: null, admin: false, disabled: false, createdAt: 0, updatedAt: 0, lastSignInAt: null });
      peopleRepo.replaceMemberships(db, `u-${name}`, 'manual', [{ teamId: 'ops', role }]);
    });
    const { cookieValue } = await sessions.create({ name, via: 'session' }, { userId: `u-${name}` });
    cookies.set(name, `salve_session=${cookieValue}`);
  }
  const request = async (who: string, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = who === 'admin' ? { authorization: `Bearer ${TOKEN}` } : { cookie: cookies.get(who)!, origin: ORIGIN, host: 'salve.example.test' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(`${ORIGIN}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  await engine.flows.create(flow, { name: 'admin', via: 'token', identity: 'admin' }, 'ops');
  const run = await engine.runManually('restart-db', { payload: {} }, { name: 'admin', via: 'token', identity: 'admin' });
  const approval = await waitFor(() => approvalsRepo.list(store.db, { executionId: run.executionId, limit: 1 })[0]);
  await engine.idle();
  const note = stepsRepo.forExecution(store.db, run.executionId).find((s) => s.nodeId === 'note')!;
  const vars = JSON.parse(note.output!) as { link: string; byNode: string };
  return { app, engine, store, clock, request, approval, vars, run };
}

const tokenOf = (url: string) => decodeURIComponent(url.split('?link=')[1]!);

describe('approval links', () => {
  it('are in templates as approval.link: the approvals page of the public origin, with a signed token', async () => {
    const { vars } = await setup();
    expect(vars.link).toMatch(new RegExp(`^${ORIGIN}/#/approvals\\?link=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(vars.byNode).toBe(vars.link);
  });

  it('read as a placeholder where nothing is sent: a simulation, and the preview of what approving runs', async () => {
    const { engine } = await setup();
    const slackText = { ...flow, nodes: [...flow.nodes, { id: 'tell', type: 'notify.slack', config: { auth: { type: 'webhook', url: { secret: 'HOOK' } }, text: 'Decide at {{ approval.link }}' } }], edges: [...flow.edges, { source: 'run', target: 'tell' }] };
    const [simulated] = await engine.simulate(slackText as never, 'manual', {});
    const tell = simulated!.steps.find((s) => s.nodeId === 'tell')!;
    expect(tell.status).toBe('taken');
    expect(JSON.stringify(tell.rendered)).toContain('Decide at (approval link: signed when the run sends it)');
  });

  it('never decide when opened; a decision with the link is counted once, and the link is then used', async () => {
    const { app, request, approval, vars } = await setup();
    const token = tokenOf(vars.link);

    // What a link preview or a mail scanner does: GET the URL (the fragment never reaches the
    // server) and the API's view of the link. Nothing is decided.
    expect((await app.request(vars.link)).status).toBe(200);
    const seen = await request('alice', 'GET', `/api/approval-links/${encodeURIComponent(token)}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ state: 'usable', nodeId: 'ask', approval: { id: approval.id, status: 'pending', approvals: { count: 0, needed: 2 } } });
    expect((await request('alice', 'GET', `/api/approvals/${approval.id}`)).body).toMatchObject({ status: 'pending', decisions: [] });

    // Alice decides through the link: counted, and the link is used.
    const planHash = seen.body.approval.planHash;
    const first = await request('alice', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash, link: token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'pending', approvals: { count: 1, needed: 2 } });
    expect((await request('bob', 'GET', `/api/approval-links/${encodeURIComponent(token)}`)).body).toMatchObject({ state: 'used', usedBy: 'alice' });

    // Bob, with the same link: refused, nothing counted.
    const second = await request('bob', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash, link: token });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/already used by alice/);
    expect((await request('bob', 'GET', `/api/approvals/${approval.id}`)).body).toMatchObject({ status: 'pending', approvals: { count: 1, needed: 2 } });

    // Without a link Bob decides as anyone would.
    expect((await request('bob', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash })).body).toMatchObject({ status: 'approved' });
  });

  it('stay usable when the decision they carried is refused, and need the approver role like any decision', async () => {
    const { request, approval, vars } = await setup();
    const token = tokenOf(vars.link);
    const planHash = (await request('alice', 'GET', `/api/approvals/${approval.id}`)).body.planHash;
    // Vic only views: refused before anything is read of the link.
    expect((await request('vic', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash, link: token })).status).toBe(403);
    // Dave sends a plan that is not the approval's: refused by the rules, the link is released.
    const stale = await request('dave', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash: 'a'.repeat(64), link: token });
    expect(stale.status).toBe(409);
    expect((await request('dave', 'GET', `/api/approval-links/${encodeURIComponent(token)}`)).body).toMatchObject({ state: 'usable' });
    expect((await request('dave', 'POST', `/api/approvals/${approval.id}`, { decision: 'reject', planHash, link: token })).body).toMatchObject({ status: 'rejected' });
  });

  it('are refused once expired, or when changed', async () => {
    const { request, approval, vars, clock, store } = await setup();
    const token = tokenOf(vars.link);
    const planHash = (await request('alice', 'GET', `/api/approvals/${approval.id}`)).body.planHash;

    const [payload, mac] = token.split('.') as [string, string];
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), x: 4_000_000_000 })).toString('base64url')}.${mac}`;
    const tampered = await request('alice', 'GET', `/api/approval-links/${encodeURIComponent(forged)}`);
    expect(tampered.status).toBe(404);
    expect(tampered.body.error.message).toMatch(/not a valid approval link/);
    expect((await request('alice', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash, link: forged })).status).toBe(404);

    // The link ends with the approval's deadline (15 minutes).
    clock.advance(15 * 60_000 + 1000);
    expect((await request('alice', 'GET', `/api/approval-links/${encodeURIComponent(token)}`)).body).toMatchObject({ state: 'expired' });
    const late = await request('alice', 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', planHash, link: token });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/expired at/);
    expect(approvalsRepo.decisionsFor(store.db, approval.id)).toEqual([]);
    expect(auditRepo.list(store.db, { limit: 50 }).filter((r) => r.action === 'approval.approve')).toEqual([]);
  });
});
