import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/kit/engine.js';
import { flowDoc } from '../../test/kit/flow.js';
import { fromAddress } from '../../test/kit/http.js';
import type { AuditEntry } from '../../shared/audit.js';
import { Engine } from '../engine/engine.js';
import { secretStoreFromEnv } from '../engine/secrets/secrets.js';
import { openStoredSecrets } from '../engine/secrets/stored-secrets.js';
import { sqliteStore } from '../store/store.js';
import { verifyAuditChain } from '../store/audit-chain.js';
import { SqliteStore } from '../store/db.js';
import { createApp } from './app.js';

const TOKEN = 'the-admin-token-0123456789';
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const SECRET_VALUE = 'pagerduty-key-value-93fa1c';
const WRONG_TOKEN = 'a-wrong-admin-token-guess-4411';

async function setup() {
  const store = new SqliteStore(':memory:');
  const clock = new ManualClock();
  const log = pino({ level: 'silent' });
  const environment = secretStoreFromEnv({});
  const { stored } = await openStoredSecrets({ store: sqliteStore(store), dataDir: '/nonexistent', envKey: MASTER_KEY, env: {}, environment, now: () => clock.now(), log });
  const engine = new Engine({ store, clock, log, secrets: stored.all, maxConcurrent: 4, executionDeadlineMs: 3_600_000, tickMs: 3_600_000, scheduleTimers: false });
  await engine.start();
  const app = createApp({ engine, log, adminToken: TOKEN, hookBodyLimitBytes: 256 * 1024, version: 'test', storedSecrets: stored, now: () => clock.now() });
  const api = async (method: string, path: string, body?: unknown, address = '198.51.100.7') => {
    const res = await app.request(
      path,
      {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      fromAddress(address),
    );
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : null };
  };
  const signIn = (token: string) =>
    app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) }, fromAddress('203.0.113.9'));
  return { app, api, signIn, store, clock };
}

const manualFlow = (id: string) => flowDoc({ id, source: { id: 'start', type: 'source.manual', config: {} } });

describe('GET /api/audit', () => {
  it('records every change with actor, via, address and before/after, and filters and pages them', async () => {
    const { api, signIn, store, clock } = await setup();
    expect((await signIn(WRONG_TOKEN)).status).toBe(401);
    expect((await signIn(TOKEN)).status).toBe(200);
    clock.advance(60_000);
    expect((await api('POST', '/api/flows', flowDoc({ id: 'disk-full' }))).status).toBe(201);
    expect((await api('POST', '/api/flows/disk-full/disable')).status).toBe(200);
    expect((await api('POST', '/api/flows/disk-full/enable')).status).toBe(200);
    expect((await api('POST', '/api/flows/import', flowDoc({ id: 'disk-old' }))).status).toBe(200);
    expect((await api('DELETE', '/api/flows/disk-old')).status).toBe(204);
    expect((await api('POST', '/api/flows', manualFlow('restart-web'))).status).toBe(201);
    const run = await api('POST', '/api/flows/restart-web/run', { payload: {} });
    expect(run.status).toBe(202);
    clock.advance(60_000);
    expect((await api('PUT', '/api/secrets/PD_KEY', { value: SECRET_VALUE, hosts: ['events.pagerduty.com'] })).status).toBe(201);
    expect((await api('DELETE', '/api/secrets/PD_KEY')).status).toBe(204);
    const paused = await api('POST', '/api/automation/pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, pausedBy: { action: 'pause', actor: 'admin', via: 'token', at: clock.now() } });
    expect((await api('GET', '/api/automation')).body).toEqual(paused.body);
    const resumed = await api('POST', '/api/automation/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.body).toEqual({ paused: false, history: [expect.objectContaining({ action: 'resume' }), expect.objectContaining({ action: 'pause' })] });

    const all = await api('GET', '/api/audit?limit=200');
    expect(all.status).toBe(200);
    const items = all.body.items as AuditEntry[];
    // Newest first.
    expect(items.map((e) => [e.action, e.target]).reverse()).toEqual([
      ['session.sign_in_failed', 'session'],
      ['session.sign_in', expect.stringMatching(/^se/)],
      ['flow.create', 'disk-full'],
      ['flow.disable', 'disk-full'],
      ['flow.enable', 'disk-full'],
      ['flow.import', 'disk-old'],
      ['flow.delete', 'disk-old'],
      ['flow.create', 'restart-web'],
      ['flow.run', 'restart-web'],
      ['secret.create', 'PD_KEY'],
      ['secret.delete', 'PD_KEY'],
      ['automation.pause', 'automation'],
      ['automation.resume', 'automation'],
    ]);
    const byAction = (a: string) => items.find((e) => e.action === a)!;
    expect(byAction('session.sign_in_failed')).toMatchObject({ actor: 'unknown', via: 'session', address: '203.0.113.9' });
    expect(byAction('session.sign_in')).toMatchObject({ actor: 'admin', via: 'session', address: '203.0.113.9' });
    expect(byAction('flow.disable')).toMatchObject({
      actor: 'admin',
      via: 'token',
      address: '198.51.100.7',
      before: { revision: 1, name: 'disk-full', enabled: true },
      after: { revision: 2, name: 'disk-full', enabled: false },
    });
    expect(byAction('flow.run').details).toMatchObject({ executionId: run.body.executionId });
    expect(byAction('secret.create')).toMatchObject({ details: { changed: ['value', 'hosts'] }, after: { hosts: ['events.pagerduty.com'] } });
    expect(byAction('automation.pause')).toMatchObject({ before: { paused: false }, after: { paused: true } });

    // Neither the secret's value nor any token is in any row, in the answer or in the table.
    const everything = all.text + JSON.stringify(store.sqlite.prepare('SELECT * FROM audit').all());
    for (const secret of [SECRET_VALUE, TOKEN, WRONG_TOKEN]) expect(everything).not.toContain(secret);
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: true, rows: 13 });

    const filtered = async (query: string) => ((await api('GET', `/api/audit?${query}`)).body.items as AuditEntry[]).map((e) => `${e.action} ${e.target}`);
    expect(await filtered('action=flow.create')).toEqual(['flow.create restart-web', 'flow.create disk-full']);
    expect(await filtered('action=secret.*')).toEqual(['secret.delete PD_KEY', 'secret.create PD_KEY']);
    expect(await filtered('target=disk-')).toEqual(['flow.delete disk-old', 'flow.import disk-old', 'flow.enable disk-full', 'flow.disable disk-full', 'flow.create disk-full']);
    expect(await filtered('actor=unknown')).toEqual(['session.sign_in_failed session']);
    expect(await filtered('via=session')).toEqual(['session.sign_in ' + byAction('session.sign_in').target, 'session.sign_in_failed session']);
    // The clock moved on twice: the first minute holds the sign-ins, the last the secrets and the pause.
    const start = new Date(clock.now() - 120_000).toISOString();
    expect(await filtered(`to=${encodeURIComponent(start)}`)).toEqual(['session.sign_in ' + byAction('session.sign_in').target, 'session.sign_in_failed session']);
    expect(await filtered(`from=${encodeURIComponent(new Date(clock.now()).toISOString())}&action=automation.*`)).toEqual(['automation.resume automation', 'automation.pause automation']);

    // Pages of 5: every row once, in order, then no cursor.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: AuditEntry[]; nextCursor: string | null } } = await api('GET', `/api/audit?limit=5${cursor ? `&before=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(items.map((e) => e.id));
  });

  it('refuses bad filters with 422 naming the field', async () => {
    const { api } = await setup();
    const issues = async (query: string) => {
      const res = await api('GET', `/api/audit?${query}`);
      expect(res.status).toBe(422);
      return (res.body.error.details.issues as { path: string[]; message: string }[]).map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(await issues('from=yesterday')).toEqual(['query.from: from must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z']);
    expect(await issues('from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).toEqual(['query.to: to must not be before from']);
    expect(await issues('action=DROP TABLE')).toEqual(['query.action: action must be an action such as flow.update, or flow.* for every flow action']);
    expect(await issues('via=email')).toEqual(['query.via: via must be one of session, token, cli, slack, break-glass, system']);
    expect((await issues('limit=0'))[0]).toMatch(/^query\.limit: /);
    expect((await issues('before=abc'))[0]).toMatch(/^query\.before: /);
    expect((await issues('actorr=admin'))[0]).toMatch(/^query: .*actorr/);
  });

  it('needs authentication', async () => {
    const { app } = await setup();
    expect((await app.request('/api/audit')).status).toBe(401);
  });
});
