import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * A Prometheus check in the editor: its PromQL query takes alert values only inside
 * double-quoted strings. The field says so as it is typed (the server's own check), previews the
 * query rendered for the sample alert, and the expectation reads `result`. Screenshots at three widths.
 */
const FLOW = {
  format: 'salve.flow/v1',
  id: 'disk-verify',
  name: 'Clean up a full disk, verify with Prometheus',
  enabled: false,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'disk', auth: { type: 'none' } }, position: { x: 0, y: 120 } },
    { id: 'cleanup', type: 'action.http', config: { method: 'POST', url: 'http://agent.internal:9100/cleanup?host={{ alert.labels.instance }}' }, position: { x: 320, y: 120 } },
    {
      id: 'verify_metric',
      type: 'check.prometheus',
      label: 'Disk below 90%?',
      config: {
        url: 'http://prometheus.internal:9090',
        query: 'disk_used_ratio{instance="{{ alert.labels.instance }}", mountpoint="/"}',
        expect: 'double(result[0].value) < 0.9',
      },
      position: { x: 640, y: 120 },
    },
  ],
  edges: [
    { source: 'am', target: 'cleanup' },
    { source: 'cleanup', sourcePort: 'ok', target: 'verify_metric' },
  ],
};

describe('a Prometheus check’s query in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [FLOW] }));
    await page.goto(`${server.url}/#/flows/disk-verify`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const panel = () => page.getByTestId('node-panel');
  const problems = () => page.getByTestId('problems').locator('summary').textContent();

  it('refuses an alert value outside quotes as it is typed, and previews the query with the value in its string', async () => {
    await selectNodeByKeyboard(page, 'verify_metric');
    const query = page.getByTestId('field-query');

    await query.fill('disk_used_ratio{instance={{ alert.labels.instance }}}');
    await panel().getByText(/sits outside a string: a value there could change the query/).first().waitFor();
    await expect.poll(problems).toContain('1 problem');
    await query.scrollIntoViewIfNeeded();
    await screenshot(page, 'check-prometheus-query-refused-1440');

    await query.fill('disk_used_ratio{instance="{{ alert.labels.instance }}", mountpoint="/"}');
    await expect.poll(problems).toBe('No problems');
    await expect.poll(() => page.getByTestId('preview-query').textContent(), { timeout: 10_000 }).toMatch(/disk_used_ratio\{instance="[^"{}]+", mountpoint="\/"\}/);
    await expect.poll(() => page.getByTestId('preview-expect').textContent(), { timeout: 10_000 }).toContain('known only when the step runs');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await query.scrollIntoViewIfNeeded();
      await screenshot(page, `check-prometheus-query-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
