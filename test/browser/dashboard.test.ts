import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SqliteStore } from '../../runtime/store/db.js';
import { launchBrowser, screenshot, signedInPage } from '../kit/browser.js';
import { closeEditor } from '../kit/editor-session.js';
import { outcomesHistory, seedOutcomes } from '../kit/outcomes-seed.js';
import { startServer, tempDataDir, type TestServer } from '../kit/server.js';

const DAY = 86_400_000;

/** The editor scrolls inside <main>: a viewport as tall as its content shows the whole page. */
async function screenshotWhole(page: Page, name: string, width: number) {
  const height = await page.evaluate(() => document.querySelector('main')!.scrollHeight + 48);
  await page.setViewportSize({ width, height });
  await screenshot(page, name);
}

/**
 * The Dashboard against a real server whose database holds the seeded history of
 * test/kit/outcomes-seed.ts, moved so that its two days are the day before yesterday and
 * yesterday (UTC): inside "7 d", partly inside "24 h". Screenshots at 1440, 1024 and 390 px, and
 * in the dark theme.
 */
describe('dashboard page', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dataDir = tempDataDir();
    const store = new SqliteStore(join(dataDir, 'salve.db'));
    const history = outcomesHistory(Date.now() - (Date.now() % DAY) - 2 * DAY);
    await seedOutcomes(store, { ...history, flows: history.flows.map((f) => ({ ...f, teamId: 'default' })) });
    store.close();
    server = await startServer({ dataDir });
    browser = await launchBrowser();
    page = await signedInPage(browser, server, { acceptDownloads: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('dashboard-headline').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('shows the headline figures, charts, the flow table and the failing steps', async () => {
    expect(await page.evaluate(() => window.location.hash)).toBe('#/dashboard?range=7d');
    // Every team's flows (an admin): r1, d1 and o1 avoided a page; 6 of 10 ended runs succeeded
    // (r0, a day before the history's day 1, is inside the 7 days here).
    expect(await page.getByTestId('figure-pages-avoided').textContent()).toContain('3');
    expect(await page.getByTestId('figure-success-rate').textContent()).toContain('60 %');
    expect(await page.getByTestId('figure-success-rate').textContent()).toContain('6 of 10 finished runs succeeded');
    expect(await page.getByTestId('figure-ttr').textContent()).toMatch(/Time to remediate \(median\)\d+ min/);
    expect(await page.locator('.uplot-host canvas').count()).toBe(3);
    const flowNames = await page.getByTestId('dashboard-flows').locator('tbody tr td:first-child a').allTextContents();
    expect(flowNames).toEqual(['Restart API', '=HYPERLINK("x"), disk', 'Other team']);
    const steps = page.getByTestId('failing-steps');
    expect(await steps.locator('li').first().textContent()).toContain("=cmd|' /C calc'!A0");
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      // The charts follow their container's width.
      await expect.poll(() => page.evaluate(() => document.querySelector('.uplot-host canvas')!.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
      await screenshotWhole(page, `dashboard-${width}`, width);
    }
    // On a phone nothing but the flow table (and the section bar) scrolls sideways, and no two section labels overlap.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    const labels = await page.locator('.topbar .nav-link').evaluateAll((links) => links.map((l) => l.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => [r.left, r.right]));
    for (let i = 1; i < labels.length; i++) expect(labels[i]![0]).toBeGreaterThanOrEqual(labels[i - 1]![1]! - 0.5);
    await page.locator('header.topbar').screenshot({ path: join('test', 'artifacts', 'dashboard-390-topbar.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('sorts the flow table by a column', async () => {
    const names = () => page.getByTestId('dashboard-flows').locator('tbody tr td:first-child a').allTextContents();
    await page.getByRole('button', { name: /^Flow/ }).click();
    await expect.poll(names).toEqual(['=HYPERLINK("x"), disk', 'Other team', 'Restart API']);
    await page.getByRole('button', { name: /^Runs/ }).click();
    await expect.poll(names).toEqual(['Restart API', '=HYPERLINK("x"), disk', 'Other team']);
    await page.getByRole('button', { name: /^Runs/ }).click();
    await expect.poll(names).toEqual(['Other team', '=HYPERLINK("x"), disk', 'Restart API']);
  });

  it('downloads the CSV: one row per flow and day, formula-safe', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^salve-outcomes-\d{8}T\d{4}-\d{8}T\d{4}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^bucket_start,flow_id,flow_name,alerts_received,runs,/);
    // 3 flows × 7 days.
    expect(lines).toHaveLength(1 + 3 * 7);
    expect(text).toContain(`"'=HYPERLINK(""x""), disk"`);
  });

  it('filters by flow through the address, and explains an empty range', async () => {
    await page.getByTestId('dashboard-flow').selectOption('disk');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/dashboard?range=7d&flow=disk');
    await expect.poll(() => page.getByTestId('dashboard-flows').locator('tbody tr').count()).toBe(1);
    // disk ran only on the day before yesterday: nothing in the last 24 hours.
    await page.getByRole('button', { name: '24 h' }).click();
    await page.getByTestId('dashboard-empty').waitFor();
    expect(await page.getByTestId('dashboard-empty').textContent()).toContain('No alerts or runs in the last 24 hours for this flow');
    await screenshot(page, 'dashboard-empty-1440');
  });

  it('reads in the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/dashboard?range=7d`);
    await page.getByTestId('dashboard-headline').waitFor();
    await page.locator('.uplot-host canvas').first().waitFor();
    await screenshotWhole(page, 'dashboard-dark-1440', 1440);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
