import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { getNodeDefinition } from '../../nodes/catalog.js';
import { nodeReference } from '../../nodes/reference.js';
import { EDITOR_SHORTCUTS } from '../../editor/src/canvas/shortcut-list.js';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * The editor's Help tab shows the reference of the selected node's type (the same as
 * nodes/reference.ts, so the same as docs/nodes.md); the flow search finds a node by its config
 * text and selects it; `?` lists the shortcuts, but not while typing in a field.
 */
describe('help, search and shortcuts in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const flow = {
    format: 'salve.flow/v1',
    id: 'helpful',
    name: 'Restart the database when it is down',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'helpful', auth: { type: 'none' } }, position: { x: 40, y: 60 } },
      { id: 'ask', type: 'approval.request', config: { message: 'Restart {{ alert.labels.service }}?' }, position: { x: 380, y: 60 } },
      { id: 'restart', type: 'action.shell', config: { command: ['systemctl', 'restart', 'postgresql-16'] }, position: { x: 720, y: 60 } },
      { id: 'tell', type: 'action.http', config: { url: 'http://chat.example.internal/notify' }, position: { x: 720, y: 260 } },
    ],
    edges: [
      { source: 'am', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
      { source: 'restart', sourcePort: 'ok', target: 'tell' },
    ],
  };

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow] }));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/#/flows/helpful`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  it('shows the selected node type’s reference in the Help tab, as nodes/reference.ts has it', async () => {
    await page.getByTestId('tab-help').click();
    // Nothing selected: an index of the node types.
    await expect.poll(() => page.getByTestId('help-index').locator('li').count()).toBeGreaterThan(10);

    await node('restart').locator('.salve-node-title').click();
    const help = page.getByTestId('help-reference');
    await help.waitFor();
    const expected = nodeReference(getNodeDefinition('action.shell')!);
    expect(await help.locator('h2').textContent()).toContain('action.shell');
    const fieldNames = await page.getByTestId('help-fields').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-field')));
    expect(fieldNames).toEqual(expected.fields.map((f) => f.name));
    const ports = await page.getByTestId('help-ports').locator('li').allTextContents();
    expect(ports).toEqual(expected.ports.map((p) => `${p.name}: ${p.meaning}`));
    expect(await help.textContent()).toContain('no: an interrupted step becomes unknown');

    // Another node: the tab follows the selection.
    await node('ask').locator('.salve-node-title').click();
    await expect.poll(() => help.locator('h2').textContent()).toContain('approval.request');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `help-tab-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('finds a node by its config text, selects it and marks the matches', async () => {
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Control+f');
    const input = page.getByTestId('flow-search-input');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill('postgresql-16');
    const results = page.getByTestId('flow-search-results').locator('button');
    await expect.poll(() => results.count()).toBe(1);
    expect(await results.first().textContent()).toContain('matched config');
    await expect.poll(() => page.locator('.react-flow__node.search-match').count()).toBe(1);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `flow-search-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await input.press('Enter');
    await expect.poll(() => node('restart').getAttribute('class')).toContain('selected');
    await page.getByTestId('tab-node').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('restart');

    await input.press('Escape');
    await expect.poll(() => page.getByTestId('flow-search').count()).toBe(0);
    expect(await page.locator('.react-flow__node.search-match').count()).toBe(0);
  });

  it('lists every shortcut on ?, closes on Esc, and leaves ? typed in a field alone', async () => {
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('?');
    const dialog = page.getByTestId('shortcuts-dialog');
    await dialog.waitFor();
    const keys = await dialog.locator('kbd').allTextContents();
    expect(keys).toEqual(EDITOR_SHORTCUTS.map((s) => s.keys));
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `shortcuts-dialog-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    const name = page.getByTestId('toolbar-flow-name');
    await name.click();
    await name.press('End');
    await name.pressSequentially(' ?');
    expect(await name.inputValue()).toBe('Restart the database when it is down ?');
    expect(await page.getByTestId('shortcuts-dialog').count()).toBe(0);
  });
});
