import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { amBody } from '../kit/alertmanager.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

/** Revision 1: only critical disk alerts get a clean-up call. */
const flow = (matchers: string, url: string) => ({
  format: 'salve.flow/v1',
  id: 'disk-clean',
  name: 'Disk full: clean up',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', position: { x: 0, y: 60 }, config: { path: 'disk', auth: { type: 'none' } } },
    { id: 'check', type: 'condition.match', label: 'Disk alert?', position: { x: 300, y: 60 }, config: { matchers } },
    { id: 'clean', type: 'action.http', label: 'Clean up /var/tmp', position: { x: 620, y: 0 }, config: { method: 'POST', url } },
  ],
  edges: [
    { source: 'am', target: 'check' },
    { source: 'check', sourcePort: 'match', target: 'clean' },
  ],
});

/** The Replay tab: a saved change (any severity, another URL) replayed against the alerts received under revision 1. */
describe('replay against history in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow('alertname="DiskFull", severity="critical"', 'http://{{ alert.labels.instance }}/cleanup')] }));
    // Nothing runs for real: the deliveries are stored and their runs wait.
    expect((await server.api('POST', '/api/automation/pause')).status).toBe(200);
    for (const body of [
      amBody('fp-a', { instance: 'db-a', severity: 'critical' }),
      amBody('fp-b', { instance: 'db-b', severity: 'warning' }),
      amBody('fp-c', { alertname: 'CPUHigh', instance: 'db-c', severity: 'critical' }),
      amBody('fp-d', { instance: 'db-d', severity: 'critical' }),
    ]) {
      const res = await fetch(`${server.url}/hooks/disk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(202);
    }
    // Revision 2, saved after those alerts: every disk alert, and another URL.
    expect((await server.api('PUT', '/api/flows/disk-clean', { revision: 1, flow: flow('alertname="DiskFull"', 'http://{{ alert.labels.instance }}/cleanup?all=1') })).status).toBe(200);
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('lists the alerts that would change, and draws both paths of the chosen one on the canvas', async () => {
    await page.goto(`${server.url}/#/flows/disk-clean`);
    await page.getByTestId('tab-replay').click();
    const panel = page.getByTestId('replay-panel');
    await panel.getByTestId('replay-range').selectOption('1h');
    await panel.getByTestId('run-replay').click();
    await panel.getByTestId('replay-table').waitFor();
    expect(await panel.getByTestId('replay-counts').textContent()).toBe('4 deliveries replayed · 4 alerts · 3 would change');
    expect(await panel.getByTestId('replay-summary').locator('li').allTextContents()).toEqual([
      '1 run would take match at check (was nomatch)',
      '1 run would now reach clean',
      'rendered url of clean differs in 2 runs',
      '1 run unchanged',
    ]);
    const rows = panel.getByTestId('replay-row');
    expect(await rows.count()).toBe(3);
    // The warning alert: the saved flow stopped at the condition, the draft calls clean-up.
    const warning = rows.filter({ hasText: 'check takes match (was nomatch)' });
    expect(await warning.textContent()).toContain('am → check → clean');
    await warning.click();
    expect(await page.getByTestId('node-check').getAttribute('data-mark')).toBe('replay-both');
    expect(await page.getByTestId('node-clean').getAttribute('data-mark')).toBe('replay-draft');
    expect(await page.getByTestId('node-mark-check').textContent()).toContain('saved: nomatch · draft: match');
    expect(await panel.getByTestId('replay-legend').textContent()).toContain('saved flow only');
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await (width < 600 ? page.locator('.editor-narrow-note') : panel).waitFor();
      await screenshot(page, `replay-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // A critical alert: same path, another rendered URL, shown side by side.
    await rows.filter({ hasText: 'url of clean differs' }).first().click();
    const detail = panel.getByTestId('replay-detail');
    expect(await detail.textContent()).toContain('saved: "http://db-');
    expect(await detail.textContent()).toContain('/cleanup?all=1"');
    expect(await page.getByTestId('node-clean').getAttribute('data-mark')).toBe('replay-both');
    expect(await page.getByTestId('node-mark-clean').textContent()).toContain('url differs');
    await screenshot(page, 'replay-url-differs-1440');
  });

  it('names the field when the range is refused', async () => {
    const panel = page.getByTestId('replay-panel');
    await panel.getByTestId('replay-range').selectOption('custom');
    await panel.getByLabel('From').fill('2026-01-01T00:00');
    await panel.getByLabel('To').fill('2026-03-01T00:00');
    await panel.getByTestId('run-replay').click();
    const error = panel.getByTestId('replay-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('since');
    expect(await error.textContent()).toContain('at most 31 days');
  });
});
