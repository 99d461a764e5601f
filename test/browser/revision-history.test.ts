import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot, signInWithPassword } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

const source = { id: 'am', type: 'source.alertmanager', position: { x: 0, y: 0 }, config: { path: 'disk', auth: { type: 'none' } } };
const restart = (command: string[]) => ({ id: 'restart', type: 'action.shell', label: 'Restart the service', position: { x: 320, y: 0 }, config: { command } });

/** Revision 1: restart straight away, and log it. */
const first = {
  format: 'salve.flow/v1',
  id: 'disk-clean',
  name: 'Disk full: clean and restart',
  enabled: true,
  nodes: [source, restart(['systemctl', 'restart', 'web']), { id: 'log_it', type: 'action.shell', label: 'Log it', position: { x: 640, y: 0 }, config: { command: ['logger', 'restarted'] } }],
  edges: [
    { source: 'am', target: 'restart' },
    { source: 'restart', sourcePort: 'ok', target: 'log_it' },
  ],
};

/** Revision 2 (by a person): ask first, restart a different unit, no more logging. */
const second = {
  ...first,
  nodes: [
    source,
    { id: 'ask', type: 'approval.request', label: 'Ask the on-call', position: { x: 320, y: 160 }, config: { message: 'Restart web?', timeoutSeconds: 900 } },
    restart(['systemctl', 'restart', 'web-v2']),
  ],
  edges: [
    { source: 'am', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
  ],
};

/** The History tab: who saved what, the changes between two revisions on the canvas, and a rollback. */
describe('flow revision history', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [first] }));
    // A person saves revision 2 with their own session, as the editor would.
    expect((await server.api('POST', '/api/users', { username: 'ana', displayName: 'Ana Ruiz', password: 'correct horse battery staple', roles: [{ team: 'default', roles: ['editor'] }] })).status).toBe(201);
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ username: 'ana', password: 'correct horse battery staple' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = /^(salve_session=[^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const saved = await fetch(`${server.url}/api/flows/disk-clean`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ revision: 1, flow: second }),
    });
    expect(saved.status).toBe(200);
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('shows who saved each revision and what the last one changed, marked on the canvas', async () => {
    await page.goto(`${server.url}/#/flows/disk-clean`);
    await page.getByTestId('tab-history').click();
    const panel = page.getByTestId('history-panel');
    await panel.getByTestId('history-changes').waitFor();
    expect(await panel.getByTestId('history-revision-2').textContent()).toContain('Ana Ruiz (ana)');
    expect(await panel.getByTestId('history-revision-1').textContent()).toContain('admin');
    expect(await panel.getByTestId('history-summary').textContent()).toBe('1 step changed · 1 step added · 1 step removed · 2 connections added · 2 connections removed');
    const restartChange = await panel.getByTestId('change-restart').textContent();
    expect(restartChange).toContain('config.command[2]: "web" → "web-v2"');

    const diagram = page.getByTestId('revision-compare');
    expect(await diagram.getByTestId('node-ask').getAttribute('data-mark')).toBe('added');
    expect(await diagram.getByTestId('node-log_it').getAttribute('data-mark')).toBe('removed');
    expect(await diagram.getByTestId('node-restart').getAttribute('data-mark')).toBe('changed');
    expect(await diagram.getByTestId('node-am').getAttribute('data-mark')).toBeNull();

    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      // On a phone the editor says it needs a wider screen (the page shows that note instead of the panels).
      await (width < 600 ? page.locator('.editor-narrow-note') : panel).waitFor();
      await screenshot(page, `revision-history-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('rolls back to revision 1 after a confirmation: saved as revision 3, revision 2 kept', async () => {
    const panel = page.getByTestId('history-panel');
    await panel.getByTestId('history-rollback-1').click();
    const dialog = page.getByTestId('rollback-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('saved as a new revision 3');
    await screenshot(page, 'revision-rollback-confirm-1440');
    await dialog.getByTestId('rollback-confirm').click();
    await panel.getByTestId('history-revision-3').waitFor();
    expect(await panel.getByTestId('history-revision-3').textContent()).toContain('current');

    const stored = (await server.api('GET', '/api/flows/disk-clean')).body as { revision: number; flow: { nodes: { id: string }[] } };
    expect(stored.revision).toBe(3);
    expect(stored.flow.nodes.map((n) => n.id)).toEqual(['am', 'restart', 'log_it']);
    // The editor now holds revision 3: its canvas has the restored steps.
    await page.getByTestId('history-close-compare').click();
    await page.getByTestId('node-log_it').waitFor();
    await screenshot(page, 'revision-rolled-back-1440');
  });

  it('lets a viewer read the history and compare, without offering a rollback', async () => {
    expect((await server.api('POST', '/api/users', { username: 'vic', displayName: 'Vic Viewer', password: 'correct horse battery staple', roles: [{ team: 'default', roles: ['viewer'] }] })).status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const viewer = await context.newPage();
    await viewer.goto(server.url);
    await signInWithPassword(viewer, 'vic', 'correct horse battery staple');
    await viewer.getByRole('navigation', { name: 'Main' }).waitFor();
    await viewer.goto(`${server.url}/#/flows/disk-clean`);
    await viewer.getByTestId('tab-history').click();
    const panel = viewer.getByTestId('history-panel');
    await panel.getByTestId('history-changes').waitFor();
    expect(await panel.getByTestId('history-list').locator('li').count()).toBe(3);
    expect(await panel.getByRole('button', { name: 'Roll back to this revision' }).count()).toBe(0);
    await context.close();
  });
});
