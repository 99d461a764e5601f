import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * While a wire is dragged, the canvas refuses what saving would reject and says why in the words
 * saving uses (shared/flow/connections.ts). Screenshots of a refused wire at 1440 px.
 */
describe('connection rules on the canvas', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  // Stacked vertically, so the wires are short and every handle is on screen.
  const flow = {
    format: 'salve.flow/v1',
    id: 'wires',
    name: 'Wires',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } }, position: { x: 0, y: 0 } },
      { id: 'disk', type: 'condition.match', config: { matchers: 'alertname="DiskFull"' }, position: { x: 0, y: 160 } },
      { id: 'clean', type: 'action.http', config: { url: 'http://127.0.0.1:9/cleanup' }, position: { x: 0, y: 320 } },
    ],
    edges: [
      { source: 'am', target: 'disk' },
      { source: 'disk', sourcePort: 'match', target: 'clean' },
    ],
  };

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow], env: { SALVE_ALLOWED_TARGETS: '127.0.0.1' } }));
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const centre = async (selector: string) => {
    const box = (await page.locator(selector).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };

  /** Drags a wire from a port onto a node's input and holds it there; returns the hint shown, then drops it. */
  async function hintWhileDragging(from: string, port: string, to: string, shot?: string): Promise<string | null> {
    const start = await centre(`[data-testid="handle-${from}-${port}"]`);
    // A source has no input: the wire is dropped on the node itself.
    const input = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
    const end = await centre((await input.count()) > 0 ? `.react-flow__node[data-id="${to}"] .react-flow__handle.target` : `.react-flow__node[data-id="${to}"]`);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2 + 40, (start.y + end.y) / 2, { steps: 6 });
    await page.mouse.move(end.x, end.y, { steps: 6 });
    const hint = page.locator('.connect-hint');
    await hint.waitFor();
    const text = await hint.textContent();
    if (shot) await screenshot(page, shot);
    await page.mouse.up();
    await hint.waitFor({ state: 'detached' });
    return text;
  }

  it('names the rule a wire breaks while it is dragged, in the words saving uses, and adds no edge', async () => {
    await page.goto(`${server.url}/#/flows/wires`);
    await page.locator('.react-flow__node[data-id="clean"]').waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    expect(await hintWhileDragging('clean', 'ok', 'disk', 'connection-refused-loop-1440')).toBe(
      'Can’t connect: cycle: "clean" → "disk" → "clean"; a flow must not loop back to an earlier node',
    );
    expect(await hintWhileDragging('clean', 'error', 'clean')).toBe('Can’t connect: edge from "clean" leads back to itself');
    expect(await hintWhileDragging('disk', 'match', 'clean')).toBe(
      'Can’t connect: duplicate edge: "disk" port "match" is already connected to "clean"',
    );
    // A source has no input port to hover, and is refused all the same, with the reason.
    expect(await hintWhileDragging('clean', 'ok', 'am', 'connection-refused-source-1440')).toBe(
      'Can’t connect: edge into "am": source.alertmanager is a source node; sources start a flow and take no incoming edges',
    );
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
  });
});
