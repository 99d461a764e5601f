import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

const diskFlow = {
  format: 'salve.flow/v1',
  id: 'disk-clean',
  name: 'Disk full: clean and restart',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', position: { x: 0, y: 0 }, config: { path: 'disk', auth: { type: 'none' } } },
    { id: 'restart', type: 'action.shell', label: 'Restart the service', position: { x: 320, y: 0 }, config: { command: ['systemctl', 'restart', 'web'] } },
  ],
  edges: [{ source: 'am', target: 'restart' }],
};

/** A flow from a flows directory (`salve serve --flows`) in the editor: a banner naming its file, nothing editable. */
describe('provisioned flow in the editor', () => {
  const root = mkdtempSync(join(tmpdir(), 'salve-provisioned-'));
  const dir = join(root, 'flows');
  mkdirSync(dir);
  writeFileSync(join(dir, 'disk.json'), JSON.stringify(diskFlow, null, 2));
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ env: { SALVE_FLOWS_DIR: dir } }));
  }, 60_000);
  afterAll(async () => {
    await closeEditor({ server, browser });
    rmSync(root, { recursive: true, force: true });
  });

  it('marks the flow in the flows list, with its enabled switch set by the file', async () => {
    await page.goto(`${server.url}/#/flows`);
    const tag = page.getByTestId('flow-provisioned-disk-clean');
    await tag.waitFor();
    expect(await tag.textContent()).toContain('from flows/disk.json');
    const toggle = page.getByTestId('flow-toggle-disk-clean');
    expect(await toggle.getAttribute('aria-disabled')).toBe('true');
    expect(await toggle.getAttribute('title')).toContain('Set "enabled" in flows/disk.json');
    await toggle.dispatchEvent('click');
    expect((await server.api('GET', '/api/flows/disk-clean')).body.flow.enabled).toBe(true);
    expect(await page.getByTestId('flow-delete-disk-clean').count()).toBe(0);
    await screenshot(page, 'provisioned-flows-list-1440');
  });

  it('opens it read-only with a banner naming the file', async () => {
    await page.goto(`${server.url}/#/flows/disk-clean`);
    const banner = page.getByTestId('provisioned-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('This flow is provisioned from flows/disk.json (read-only): change it in git.');
    expect(await page.getByTestId('save').isDisabled()).toBe(true);
    expect(await page.getByTestId('read-only').textContent()).toContain('Read-only');
    expect(await page.getByLabel('Flow name').getAttribute('readonly')).not.toBeNull();

    // A node's settings are shown but cannot be changed.
    await page.getByTestId('node-restart').click();
    const lock = page.getByTestId('read-only-lock');
    await lock.waitFor();
    expect(await lock.evaluate((el) => (el as HTMLFieldSetElement).disabled)).toBe(true);
    expect(await page.getByTestId('node-panel').locator('input:enabled, textarea:enabled, select:enabled').count()).toBe(0);

    // Keys that would change the flow say why they do nothing; the document stays as saved.
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Delete');
    await page.getByText('change the file in git').first().waitFor();
    await page.getByTestId('node-restart').waitFor();
    expect((await server.api('GET', '/api/flows/disk-clean')).body.revision).toBe(1);

    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await banner.waitFor();
      await screenshot(page, `provisioned-flow-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('lists a flow file that is invalid on the flows page, with every problem', async () => {
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...diskFlow, id: 'broken', name: '', nodes: [] }));
    await page.goto(`${server.url}/#/flows`);
    const banner = page.getByTestId('provisioning-problems');
    await banner.waitFor({ timeout: 20_000 });
    const text = await banner.textContent();
    expect(text).toContain('flows/broken.json');
    expect(text).toContain('name');
    expect(text).toContain('nodes');
    await page.getByTestId('flow-provisioned-disk-clean').waitFor();
    await screenshot(page, 'provisioned-invalid-file-1440');
  }, 40_000);
});
