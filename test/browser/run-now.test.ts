import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * Run now in a real browser: a flow with a "Run by hand" source gets the button; the dialog is
 * filled with the node's payload, runs it for real, and the toast links to the run.
 */
describe('Run now in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const flow = {
    format: 'salve.flow/v1',
    id: 'cleanup-by-hand',
    name: 'Clean up a disk by hand',
    enabled: false,
    nodes: [
      { id: 'by_hand', type: 'source.manual', config: { samplePayload: { labels: { instance: 'db1:9100' } } }, position: { x: 80, y: 120 } },
      { id: 'echo', type: 'action.shell', config: { command: ['echo', 'cleaning', '{{ alert.labels.instance }}'] }, position: { x: 420, y: 120 } },
    ],
    edges: [{ source: 'by_hand', target: 'echo' }],
  };

  beforeAll(async () => {
    const hooksOnly = {
      format: 'salve.flow/v1',
      id: 'hooks-only',
      name: 'Hooks only',
      nodes: [{ id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } }],
      edges: [],
    };
    ({ server, browser, page } = await openEditor({ flows: [flow, hooksOnly], width: 1280, height: 800 }));
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('is offered only for a saved flow with a Run by hand source', async () => {
    await page.goto(`${server.url}/#/flows/hooks-only`);
    await page.getByTestId('saved').waitFor();
    expect(await page.getByTestId('run-now').count()).toBe(0);
    await page.goto(`${server.url}/#/flows/cleanup-by-hand`);
    await page.getByTestId('saved').waitFor();
    expect(await page.getByTestId('run-now').isEnabled()).toBe(true);
    // The node's config: an optional alert name and the payload Run now starts with.
    await page.locator('.react-flow__node[data-id="by_hand"] .salve-node-title').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('by_hand');
    await page.getByText('Payload to start with').waitFor();
    await screenshot(page, 'manual-node');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.getByTestId('saved').waitFor();
  });

  it('is disabled with the reason while there are unsaved changes', async () => {
    const name = page.getByTestId('toolbar-flow-name');
    await name.fill('Clean up a disk by hand (edited)');
    await page.getByTestId('dirty').waitFor();
    expect(await page.getByTestId('run-now').isDisabled()).toBe(true);
    expect(await page.getByTestId('run-now').getAttribute('title')).toContain('Save first');
    await page.getByTestId('undo').click();
    await page.getByTestId('saved').waitFor();
    expect(await page.getByTestId('run-now').isEnabled()).toBe(true);
  });

  it('runs the saved flow with the payload, and the toast links to the run', async () => {
    await page.getByTestId('run-now').click();
    const payload = page.getByTestId('run-now-payload');
    expect(JSON.parse(await payload.inputValue())).toEqual({ labels: { instance: 'db1:9100' } });

    // A payload the server refuses: the problem is shown at its field, nothing runs.
    await payload.fill('{ "labels": { "instance": 9100 } }');
    await page.getByTestId('run-now-submit').click();
    await page.getByTestId('run-now-error').getByText('payload.labels.instance: must be a string').waitFor();

    await payload.fill(JSON.stringify({ summary: 'Disk at 96%', labels: { instance: 'db7:9100' } }, null, 2));
    await screenshot(page, 'run-now-dialog');
    await page.getByTestId('run-now-submit').click();
    const link = page.getByTestId('toast-link');
    await link.waitFor();
    await screenshot(page, 'run-now-started');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^#\/runs\/ex_/);
    expect(await page.getByTestId('run-now-dialog').count()).toBe(0);
    await link.click();
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    await page.getByText('Disk at 96%').first().waitFor();
    await screenshot(page, 'run-now-run');

    const executionId = decodeURIComponent(href.slice('#/runs/'.length));
    const exec = (await server.api('GET', `/api/executions/${executionId}`)).body;
    expect(exec.alert).toMatchObject({ source: 'manual', name: 'Clean up a disk by hand', labels: { instance: 'db7:9100' } });
    expect(exec.steps.find((s: { nodeId: string }) => s.nodeId === 'echo').output.stdout).toBe('cleaning db7:9100\n');
    expect((await server.api('GET', '/api/executions?flowId=cleanup-by-hand')).body.items).toHaveLength(1);
  });

  it('a schedule node shows its expression, zone and next runs on the canvas, and no Run now', async () => {
    const nightly = {
      format: 'salve.flow/v1',
      id: 'nightly',
      name: 'Nightly disk check',
      nodes: [
        { id: 'nightly', type: 'source.schedule', config: { cron: '0 3 * * *', timezone: 'Europe/Berlin', labels: { check: 'disk' } }, position: { x: 80, y: 120 } },
        { id: 'df', type: 'action.shell', config: { command: ['df', '-h'] }, position: { x: 420, y: 120 } },
      ],
      edges: [{ source: 'nightly', target: 'df' }],
    };
    expect((await server.api('POST', '/api/flows', nightly)).status).toBe(201);
    await page.goto(`${server.url}/#/flows/nightly`);
    await page.getByTestId('saved').waitFor();
    const summary = page.locator('.react-flow__node[data-id="nightly"] .salve-node-summary');
    expect(await summary.getAttribute('title')).toMatch(/^0 3 \* \* \* · Europe\/Berlin · next \w{3} \d+ 03:00, \w{3} \d+ 03:00, \w{3} \d+ 03:00$/);
    expect(await page.getByTestId('run-now').count()).toBe(0);
    await page.locator('.react-flow__node[data-id="nightly"] .salve-node-title').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('nightly');
    await screenshot(page, 'schedule-node');
  });
});
