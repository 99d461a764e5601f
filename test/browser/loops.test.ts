import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';

/**
 * A loop as an operator sees it: the editor draws its form from the node registry, and the run
 * page lists each item's steps as "Item 1", "Item 2"… under the node that ran per item.
 */
describe('loops in the editor and the run view', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let target: Target;
  let runId: string;

  beforeAll(async () => {
    target = await startTarget();
    const flow = {
      format: 'salve.flow/v1',
      id: 'per-host',
      name: 'Clean every host',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'per-host', auth: { type: 'none' } }, position: { x: 0, y: 0 } },
        { id: 'names', type: 'transform.set', config: { vars: { prefix: '"clean"' } }, position: { x: 300, y: 0 } },
        { id: 'hosts', type: 'control.foreach', config: { items: 'alert.labels.instance.split(",")', concurrency: 2 }, position: { x: 600, y: 0 } },
        { id: 'clean', type: 'action.http', config: { method: 'POST', url: `${target.url}/{{ vars.prefix }}/{{ item }}` }, position: { x: 900, y: -80 } },
      ],
      edges: [
        { source: 'am', target: 'names' },
        { source: 'names', target: 'hosts' },
        { source: 'hosts', sourcePort: 'each', target: 'clean' },
      ],
    };
    ({ server, browser, page } = await openEditor({ flows: [flow], env: { SALVE_ALLOWED_TARGETS: '127.0.0.1' } }));
    const res = await fetch(`${server.url}/hooks/per-host`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ instance: 'web1,web2,web3' })])),
    });
    runId = ((await res.json()) as { executions: string[] }).executions[0]!;
    const run = async () => (await server.api('GET', `/api/executions/${runId}`)).body as { status: string; error: string | null };
    await waitFor(async () => !['queued', 'running', 'waiting'].includes((await run()).status), 15_000, 'the loop to finish');
    expect(await run()).toMatchObject({ status: 'succeeded', error: null });
  }, 60_000);

  afterAll(async () => {
    await closeEditor({ server, browser });
    await target?.close();
  });

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  it('lists the steps of a node that ran per item as Item 1, 2 and 3', async () => {
    expect(target.requests.map((r) => r.url).sort()).toEqual(['/clean/web1', '/clean/web2', '/clean/web3']);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await page.goto(`${server.url}/#/runs/${runId}`);
      await node('clean').click();
      const panel = page.getByTestId('step-panel');
      await expect.poll(async () => (await panel.locator('h3').allTextContents()).filter((t) => t.startsWith('Item'))).toEqual(['Item 1', 'Item 2', 'Item 3']);
      await screenshot(page, `loop-run-${width}`);
    }
  });

  it('draws the loop node\'s form from its definition', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/#/flows/per-host`);
    await node('hosts').click();
    await page.getByText('Items at once').first().waitFor();
    await screenshot(page, 'loop-editor-1440');
    await node('names').click();
    await page.getByText('Variables (name → CEL)').first().waitFor();
    await screenshot(page, 'loop-set-vars-1440');
  });
});
