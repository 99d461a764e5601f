import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SqliteStore } from '../../runtime/store/db.js';
import { sqliteStore } from '../../runtime/store/store.js';
import { SessionManager } from '../../runtime/http/sessions.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot } from '../kit/browser.js';
import { addUser } from '../kit/store-people.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const WIDTHS = [1440, 1024, 390];

/**
 * The approvals inbox when two people must approve: carol wrote the flow and sees why she
 * cannot approve (the button disabled, the reason beside it); alice approved first; bob sees
 * "1 of 2", alice's decision and comment, must write a comment, and his approval lets the run
 * go on. Users and sessions are made in the server's database (the users API comes separately).
 */
describe('approvals inbox with a quorum', () => {
  let server: TestServer;
  let store: SqliteStore;
  let browser: Browser;
  let approvalId = '';
  let planHash = '';
  const cookies: Record<string, string> = {};

  const api = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { cookie: `salve_session=${cookies[who]}`, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** A page signed in as `who` (their session cookie), on the approvals inbox. */
  const inboxAs = async (who: string, width: number): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height: 1000 }, ...(width < 600 ? { hasTouch: true, isMobile: true } : {}) });
    await context.addCookies([{ name: 'salve_session', value: cookies[who]!, url: server.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(`${server.url}/#/approvals`);
    await page.getByTestId(`approval-${approvalId}`).waitFor();
    return page;
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
      cookies[username] = (await sessions.create({ name: username, via: 'session' }, { userId: user.id })).cookieValue;
    }
    const flow = {
      format: 'salve.flow/v1',
      id: 'failover',
      name: 'Fail over the database',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
        {
          id: 'ask',
          type: 'approval.request',
          config: { message: 'Fail over {{ alert.labels.service }} to the replica?', quorum: 2, requireComment: true },
        },
        { id: 'failover', type: 'action.shell', label: 'Promote the replica', config: { command: ['echo', 'promote', '{{ alert.labels.service }}'] } },
      ],
      edges: [
        { source: 'am', target: 'ask' },
        { source: 'ask', sourcePort: 'approved', target: 'failover' },
      ],
    };
    expect((await api('carol', 'POST', '/api/flows', flow)).status).toBe(201);
    const sent = await fetch(`${server.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    expect(sent.status).toBe(202);
    const pending = await waitFor(async () => (await api('alice', 'GET', '/api/approvals?status=pending')).body.items[0], 15_000, 'the approval');
    approvalId = pending.id;
    planHash = pending.planHash;
    const first = await api('alice', 'POST', `/api/approvals/${approvalId}`, { decision: 'approve', comment: 'replica lag is 0 s', planHash: pending.planHash });
    expect(first.status).toBe(200);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    store?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it("shows the flow's author why she cannot approve, with the button disabled", async () => {
    for (const width of WIDTHS) {
      const page = await inboxAs('carol', width);
      const why = page.getByTestId(`approval-why-not-${approvalId}`);
      expect(await why.textContent()).toContain('you saved the flow revision this run uses');
      expect(await page.getByTestId(`approve-${approvalId}`).isDisabled()).toBe(true);
      await screenshot(page, `approval-quorum-author-${width}`);
      await page.context().close();
    }
  });

  it('shows the second approver the progress and the first decision, and needs his comment', async () => {
    for (const width of WIDTHS) {
      const page = await inboxAs('bob', width);
      const progress = page.getByTestId(`approval-progress-${approvalId}`);
      expect(await progress.textContent()).toContain('1 of 2 approvals: waiting for 1 more');
      expect(await progress.textContent()).toContain('alice approved');
      expect(await progress.textContent()).toContain('replica lag is 0 s');
      await page.getByTestId(`approval-why-not-${approvalId}`).waitFor({ state: 'detached' });
      expect(await page.getByTestId(`approve-${approvalId}`).isDisabled()).toBe(true); // no comment yet
      expect(await page.getByTestId(`approval-plan-${approvalId}`).textContent()).toContain(planHash.slice(0, 12));
      await screenshot(page, `approval-quorum-second-${width}`);
      await page.context().close();
    }
    const page = await inboxAs('bob', 1440);
    await page.getByTestId(`approval-comment-${approvalId}`).fill('checked with the DBA on call');
    await page.getByTestId(`approve-${approvalId}`).click();
    await page.getByTestId(`approval-${approvalId}`).waitFor({ state: 'detached' });
    await page.getByTestId('show-decided').click();
    const decided = page.getByTestId(`approval-${approvalId}`);
    await decided.waitFor();
    expect(await decided.textContent()).toContain('Approved by bob');
    expect(await decided.textContent()).toContain('2 of 2 approvals');
    await screenshot(page, 'approval-quorum-decided-1440');
    await page.context().close();
    const run = await waitFor(async () => {
      const items = (await api('bob', 'GET', '/api/executions?flowId=failover')).body.items;
      return items[0]?.status === 'succeeded' ? items[0] : undefined;
    }, 15_000, 'the fail-over run to finish');
    expect(run.status).toBe('succeeded');
  });
});
