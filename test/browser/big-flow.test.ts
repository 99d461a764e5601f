import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

const COUNT = 150;

/** A source, then HTTP actions in a chain, on a grid far wider and taller than the screen. */
function bigFlow() {
  const nodes: { id: string; type: string; config: Record<string, unknown>; position: { x: number; y: number } }[] = [
    { id: 'am', type: 'source.alertmanager', config: { path: 'big', auth: { type: 'none' } }, position: { x: 0, y: 0 } },
  ];
  const edges: { source: string; sourcePort?: string; target: string }[] = [];
  for (let i = 1; i < COUNT; i++) {
    nodes.push({ id: `act${i}`, type: 'action.http', config: { url: `http://example.internal/step/${i}` }, position: { x: (i % 15) * 300, y: Math.floor(i / 15) * 140 } });
    edges.push(i === 1 ? { source: 'am', target: 'act1' } : { source: `act${i - 1}`, sourcePort: 'ok', target: `act${i}` });
  }
  return { format: 'salve.flow/v1', id: 'big', name: 'Big flow', enabled: false, nodes, edges };
}

/**
 * A flow of 100 nodes or more draws only the nodes in view (docs/performance.md, "Editor canvas"):
 * the minimap still shows all of them, the search still reaches one off screen, and a drag of
 * every node moves those that were not drawn too.
 */
describe('a big flow in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [bigFlow()] }));
    await page.goto(`${server.url}/#/flows/big`);
    await page.locator('.react-flow__node[data-id="am"]').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const drawn = () => page.locator('.react-flow__node').count();

  it('draws the nodes in view, and the minimap all of them', async () => {
    await expect.poll(drawn).toBeLessThan(COUNT);
    expect(await drawn()).toBeGreaterThan(0);
    expect(await page.locator('.react-flow__node[data-id="act149"]').count()).toBe(0);
    expect(await page.locator('.react-flow__minimap-node').count()).toBe(COUNT);
  });

  it('finds a node off screen, brings it into view and selects it', async () => {
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Control+f');
    const input = page.getByTestId('flow-search-input');
    await input.fill('/step/149');
    await expect.poll(() => page.getByTestId('flow-search-results').locator('button').count()).toBe(1);
    await input.press('Enter');
    await expect.poll(() => page.locator('.react-flow__node[data-id="act149"]').getAttribute('class')).toContain('selected');
    await input.press('Escape');
    await selectNodeByKeyboard(page, 'act149');
  });

  it('moves the nodes that are not drawn when every node is dragged', async () => {
    const stored = async (): Promise<{ x: number; y: number }> => (await server.api('GET', '/api/flows/big')).body.flow.nodes.find((n: { id: string }) => n.id === 'am').position;
    const before = await stored();
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    const box = (await page.locator('.react-flow__node[data-id="act149"]').boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + 14;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y + 30, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('saved').count()).toBe(0);
    await page.keyboard.press('Control+s');
    await expect.poll(async () => (await stored()).x).toBeGreaterThan(before.x);
    const after = await stored();
    expect(after.y).toBeGreaterThan(before.y);
  });
});
