import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signOutOf } from '../kit/browser.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

/**
 * The editor in a real browser against a real server: an operator signs in, builds the README's
 * example flow from an empty canvas, configures it through the panel, saves, reloads, edits with
 * undo/redo and copy/paste, tests it, and then follows a real alert from the runs list to the
 * approvals inbox. Each stage builds on the one before, so the tests run in order.
 */
describe('editor in the browser', () => {
  let server: TestServer;
  let target: Target;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    target = await startTarget();
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: 'change-me', SALVE_ALLOWED_TARGETS: '127.0.0.1' } }); // the target is on loopback
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    // A step that cannot happen should fail with its locator named, well before the test's own timeout.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await target?.close();
    if (server) removeDir(server.dataDir);
  });

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const centre = async (selector: string) => {
    const box = (await page.locator(selector).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };

  /** Drags a wire from a node's output port to another node's input, as a person would. */
  async function connect(from: string, port: string | null, to: string) {
    const start = await centre(port ? `[data-testid="handle-${from}-${port}"]` : `.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
    const end = await centre(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 6 });
    await page.mouse.move(end.x, end.y, { steps: 6 });
    await page.mouse.up();
  }

  /** Selects a node by clicking its title, so the config panel shows it. */
  async function select(id: string) {
    await node(id).locator('.salve-node-title').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe(id);
  }

  async function rename(from: string, to: string) {
    await select(from);
    await page.getByTestId('node-id').fill(to);
    await page.getByTestId('node-id').press('Enter');
    await node(to).waitFor();
  }

  const edgeCount = () => page.locator('.react-flow__edge').count();
  const nodeIds = () => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

  it('refuses a wrong token and signs in with the admin token (cookie only, nothing in storage)', async () => {
    await page.goto(server.url);
    // The test server gets its token from SALVE_ADMIN_TOKEN, and the page says so (with a token
    // file it names the file's path: runtime/http/sessions.test.ts).
    // The admin token is the break-glass way in, behind its own button on the sign-in page.
    await page.getByTestId('signin-use-token').click();
    await page.getByText('it is in the SALVE_ADMIN_TOKEN variable Salve was started with').waitFor();
    await page.locator('#admin-token').fill('not-the-token-at-all');
    await page.getByTestId('signin-token-submit').click();
    await page.getByText('That token is not valid').waitFor();
    await page.locator('#admin-token').fill(server.token);
    await page.getByTestId('signin-token-submit').click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'salve_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
    expect(stored).not.toContain(server.token);
  });

  it('builds the example flow from an empty canvas by dragging from the palette and connecting ports', async () => {
    await page.goto(`${server.url}/#/new`);
    const canvas = page.getByTestId('canvas');
    await canvas.waitFor();
    const drops: [string, number, number][] = [
      ['source.alertmanager', 140, 90],
      ['condition.match', 140, 330],
      ['action.http', 460, 90],
      ['approval.request', 460, 330],
      ['action.shell', 140, 560],
    ];
    for (const [type, x, y] of drops) await page.getByTestId(`palette-${type}`).dragTo(canvas, { targetPosition: { x, y } });
    expect(await nodeIds()).toEqual(['alertmanager', 'match_labels', 'http_call', 'approval', 'run_command']);
    for (const [from, to] of [['alertmanager', 'am'], ['match_labels', 'disk'], ['http_call', 'clean'], ['approval', 'ask'], ['run_command', 'restart']] as const) {
      await rename(from, to);
    }

    await connect('am', null, 'disk');
    await connect('disk', 'match', 'clean');
    await connect('clean', 'ok', 'ask');
    await connect('ask', 'approved', 'restart');
    await expect.poll(edgeCount).toBe(4);
    // The canvas refuses what saving would reject: a loop back to an earlier node.
    await connect('restart', 'ok', 'disk');
    expect(await edgeCount()).toBe(4);
    // Edges from a node with several ports carry the port's name.
    await expect.poll(() => page.locator('.react-flow__edge-text').allTextContents()).toEqual(expect.arrayContaining(['match', 'ok', 'approved']));
  });

  it('configures every node through the panel, with errors shown until the config is valid', async () => {
    await select('am');
    await expect.poll(() => page.getByTestId('node-issues-am').isVisible()).toBe(true);
    await page.getByTestId('field-path').fill('infra');
    await page.getByTestId('field-auth.type').selectOption('bearer');
    await page.getByTestId('field-auth.token').selectOption('AM_TOKEN');

    await select('disk');
    await page.getByTestId('field-matchers').fill('alertname="DiskFull", severity=~"critical|page"');

    await select('clean');
    await page.getByTestId('field-url').fill('http://{{ alert.labels.instance }}/cleanup');
    // The live preview renders the template against the source's sample alert.
    await expect.poll(() => page.getByTestId('preview-url').textContent(), { timeout: 10_000 }).toContain('http://db1.example.internal:9100/cleanup');
    await page.getByTestId('field-body').fill('{"path": "/var/tmp"}');
    await page.getByTestId('field-body').blur();

    await select('ask');
    await page.getByTestId('field-message').fill('Restart {{ alert.labels.service }} on {{ alert.labels.instance }}?');
    await page.getByTestId('field-timeoutSeconds').fill('900');
    // One person builds and approves here: the admin saves this flow, so it must allow that.
    await page.getByTestId('field-allowSelfApproval').check();

    await select('restart');
    for (const [i, arg] of ['echo', 'restarting', '{{ alert.labels.service }}'].entries()) {
      await page.getByTestId('add-command').click();
      await page.getByTestId(`field-command.${i}`).fill(arg);
    }

    // Nothing selected: the flow's own settings.
    await page.getByTestId('canvas').click({ position: { x: 660, y: 20 } });
    await page.getByTestId('flow-name').fill('Disk full: clean up, ask, then restart');
    await page.getByTestId('flow-id').fill('disk-full');
    await page.getByTestId('flow-enabled').check();

    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('No problems');
    expect(await page.locator('[data-testid^="node-issues-"]').count()).toBe(0);
    await expect.poll(() => node('clean').locator('.salve-node-summary').textContent()).toBe('POST http://{{…}}/cleanup');
    await screenshot(page, 'editor-canvas');
  });

  it('saves with Ctrl+S and reopens exactly as it was left', async () => {
    await page.keyboard.press('Control+s');
    await page.getByTestId('saved').waitFor();
    const stored = await server.api('GET', '/api/flows/disk-full');
    expect(stored.status).toBe(200);
    const flow = stored.body.flow;
    expect(flow.enabled).toBe(true);
    expect(flow.edges).toEqual([
      { source: 'am', target: 'disk' },
      { source: 'disk', sourcePort: 'match', target: 'clean' },
      { source: 'clean', sourcePort: 'ok', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ]);
    const configs = Object.fromEntries(flow.nodes.map((n: { id: string; config: unknown }) => [n.id, n.config]));
    // The server stores each config with its defaults filled in (e.g. method POST, timeout 10 s).
    expect(configs).toMatchObject({
      am: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } },
      disk: { matchers: 'alertname="DiskFull", severity=~"critical|page"' },
      clean: { url: 'http://{{ alert.labels.instance }}/cleanup', body: { path: '/var/tmp' } },
      ask: { message: 'Restart {{ alert.labels.service }} on {{ alert.labels.instance }}?', timeoutSeconds: 900, allowSelfApproval: true },
      restart: { command: ['echo', 'restarting', '{{ alert.labels.service }}'] },
    });

    const positions = () => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-id')} ${(e as HTMLElement).style.transform}`));
    const before = await positions();
    await page.reload();
    await page.getByTestId('saved').waitFor();
    await node('restart').waitFor();
    expect(await positions()).toEqual(before);
    expect(await edgeCount()).toBe(4);
    await select('clean');
    expect(await page.getByTestId('field-url').inputValue()).toBe('http://{{ alert.labels.instance }}/cleanup');
  });

  it('undoes and redoes edits, and copies and pastes nodes through the clipboard', async () => {
    await select('restart');
    await page.keyboard.press('Delete');
    await expect.poll(nodeIds).not.toContain('restart');
    expect(await edgeCount()).toBe(3);
    await page.getByTestId('dirty').waitFor();
    await page.keyboard.press('Control+z');
    await expect.poll(nodeIds).toContain('restart');
    await expect.poll(edgeCount).toBe(4);
    await page.getByTestId('saved').waitFor();
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(nodeIds).not.toContain('restart');
    await page.getByTestId('undo').click();
    await expect.poll(nodeIds).toContain('restart');

    await select('clean');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(nodeIds).toContain('clean_2');
    // The pasted node keeps its config and is selected, ready to move.
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('clean_2');
    expect(await page.getByTestId('field-url').inputValue()).toBe('http://{{ alert.labels.instance }}/cleanup');
    await page.keyboard.press('Control+z');
    await expect.poll(nodeIds).not.toContain('clean_2');
    await page.getByTestId('saved').waitFor();
  });

  it('asks what to do when someone else saved the flow meanwhile', async () => {
    const current = (await server.api('GET', '/api/flows/disk-full')).body;
    const theirs = await server.api('PUT', '/api/flows/disk-full', {
      revision: current.revision,
      flow: { ...current.flow, description: 'changed by a colleague' },
    });
    expect(theirs.status).toBe(200);
    await select('ask');
    await page.getByTestId('field-timeoutSeconds').fill('600');
    await page.getByTestId('save').click();
    const dialog = page.getByTestId('conflict-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`the current revision is ${theirs.body.revision}`);
    await page.getByTestId('conflict-reload').click();
    await page.getByTestId('saved').waitFor();
    await page.getByTestId('canvas').click({ position: { x: 660, y: 20 } });
    expect(await page.locator('textarea').first().inputValue()).toBe('changed by a colleague');
    // Leaving with unsaved changes asks first; saying no keeps the page and the change.
    await select('ask');
    await page.getByTestId('field-timeoutSeconds').fill('700');
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('link', { name: 'Runs' }).first().click();
    expect(page.url()).toContain('#/flows/disk-full');
    await page.getByTestId('undo').click();
    await page.getByTestId('saved').waitFor();
  });

  it('shows in the Test panel the path a firing Alertmanager alert would take, running nothing', async () => {
    await page.getByTestId('tab-test').click();
    expect(await page.getByTestId('test-sample').inputValue()).toBe('DiskFull firing');
    await page.getByTestId('run-test').click();
    await page.getByTestId('test-result').waitFor();
    for (const id of ['am', 'disk', 'clean', 'ask', 'restart']) {
      await expect.poll(() => node(id).locator('.salve-node').getAttribute('data-mark')).toBe('taken');
    }
    expect(await page.getByTestId('test-starts').textContent()).toBe('yes');
    expect(await page.getByTestId('node-mark-disk').textContent()).toContain('match');
    expect(await page.getByTestId('test-rendered-clean').textContent()).toContain('http://db1.example.internal:9100/cleanup');
    expect(await page.getByTestId('test-rendered-restart').textContent()).toContain('postgresql');
    expect(await page.locator('.react-flow__edge.taken').count()).toBe(4);
    await screenshot(page, 'editor-test-panel');
    expect(target.requests).toHaveLength(0);

    // A resolved alert does not start the flow (the source only runs on firing alerts).
    await page.getByTestId('test-sample').selectOption('DiskFull resolved');
    await page.getByTestId('run-test').click();
    await expect.poll(() => page.getByTestId('test-starts').textContent()).toMatch(/^no/);
    await expect.poll(() => node('clean').locator('.salve-node').getAttribute('data-mark')).toBe('skipped');
  });

  it('exports a flow from the list and re-imports it as a copy that arrives disabled', async () => {
    await page.getByRole('link', { name: 'Flows' }).first().click();
    await page.getByTestId('flow-row-disk-full').waitFor();
    await screenshot(page, 'flows-list');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('flow-export-disk-full').click()]);
    expect(download.suggestedFilename()).toBe('disk-full.json');
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(exported).toEqual((await server.api('GET', '/api/flows/disk-full/export')).body);
    expect(JSON.stringify(exported)).not.toContain('change-me'); // secrets travel as references only

    const copy = { ...exported, id: 'disk-full-copy', name: 'Disk full (imported copy)' };
    await page.getByTestId('flows-import').click();
    await page.getByTestId('import-file-input').setInputFiles({ name: 'disk-full-copy.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(copy)) });
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-result-disk-full-copy').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('flow-toggle-disk-full-copy').getAttribute('aria-checked')).toBe('false');
    expect(await page.getByTestId('flow-toggle-disk-full').getAttribute('aria-checked')).toBe('true');
    const imported = (await server.api('GET', '/api/flows/disk-full-copy')).body.flow;
    expect({ ...imported, id: exported.id, name: exported.name, enabled: exported.enabled }).toEqual(exported);
  });

  it('shows a webhook delivery as a run with coloured steps, and finishes it from the approvals inbox', async () => {
    const instance = new URL(target.url).host;
    const res = await fetch(`${server.url}/hooks/infra`, {
      method: 'POST',
      headers: { authorization: 'Bearer change-me', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ instance, fingerprint: 'browser-e2e-1' })])),
    });
    expect(res.status).toBe(202);
    const executionId = ((await res.json()) as { executions: string[] }).executions[0]!;
    await waitFor(() => target.requests.find((r) => r.url === '/cleanup'), 10_000, 'the clean-up call');

    await page.getByRole('link', { name: 'Runs' }).first().click();
    await page.getByTestId(`run-row-${executionId}`).waitFor();
    await page.getByTestId(`run-row-${executionId}`).getByRole('link').first().click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toContain('waiting');
    await expect.poll(() => node('clean').locator('.salve-node').getAttribute('data-mark')).toBe('succeeded');
    await expect.poll(() => node('ask').locator('.salve-node').getAttribute('data-mark')).toBe('waiting');
    expect(await node('restart').locator('.salve-node').getAttribute('data-mark')).toBeNull();
    await screenshot(page, 'run-view-waiting');

    await expect.poll(() => page.getByTestId('approvals-badge').textContent(), { timeout: 10_000 }).toBe('1');
    await page.getByRole('link', { name: /Approvals/ }).click();
    const pending = (await server.api('GET', '/api/approvals?status=pending')).body.items;
    expect(pending).toHaveLength(1);
    const approvalId = pending[0].id as string;
    const card = page.getByTestId(`approval-${approvalId}`);
    await card.waitFor();
    // What runs next is shown exactly, rendered for this alert.
    expect(await card.textContent()).toContain('echo restarting postgresql');
    await screenshot(page, 'approvals-inbox');
    await page.getByTestId(`approval-comment-${approvalId}`).fill('disk cleaned, restart ok');
    await page.getByTestId(`approve-${approvalId}`).click();

    const finished = await waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${executionId}`)).body;
      return exec.status === 'succeeded' ? exec : undefined;
    }, 15_000, 'the run to finish');
    const restart = finished.steps.find((s: { nodeId: string }) => s.nodeId === 'restart');
    expect(restart.output.stdout).toBe('restarting postgresql\n');
    expect(finished.approvals[0]).toMatchObject({ status: 'approved', comment: 'disk cleaned, restart ok' });

    await page.goto(`${server.url}/#/runs/${executionId}`);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toContain('succeeded');
    await expect.poll(() => node('restart').locator('.salve-node').getAttribute('data-mark')).toBe('succeeded');
    await screenshot(page, 'run-view-finished');
  });

  it('follows the OS dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/flows/disk-full`);
    await node('restart').waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 22, 28)');
    await screenshot(page, 'editor-canvas-dark');
    await page.getByRole('link', { name: /Approvals/ }).click();
    await page.getByRole('button', { name: 'Decided' }).click();
    await screenshot(page, 'approvals-decided-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('signs out and is asked to sign in again', async () => {
    await signOutOf(page);
    expect((await context.cookies()).find((c) => c.name === 'salve_session')).toBeUndefined();
    const api = await page.evaluate(async () => (await fetch('/api/flows')).status);
    expect(api).toBe(401);
  });
});
