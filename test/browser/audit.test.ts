import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import { flowDoc } from '../kit/flow.js';
import type { TestServer } from '../kit/server.js';

const SECRET_VALUE = 'audit-page-secret-value-8d2e';

/**
 * The Audit page against a real server: changes made through the API and the editor's sign-in
 * show as rows with who, how and what changed; the filters narrow the list through the address;
 * "Load older" pages on; no value of a secret is on the page. Screenshots at three widths.
 */
describe('audit page', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flowDoc({ id: 'disk-full', name: 'Disk full' })] }));
    expect((await server.api('POST', '/api/flows/disk-full/disable')).status).toBe(200);
    // Enough rows for a second page (50 a page).
    for (let i = 0; i < 47; i++) {
      expect((await server.api('POST', `/api/flows/disk-full/${i % 2 === 0 ? 'enable' : 'disable'}`)).status).toBe(200);
    }
    expect((await server.api('PUT', '/api/secrets/PD_KEY', { value: SECRET_VALUE, hosts: ['events.pagerduty.com'] })).status).toBe(201);
    expect((await server.api('POST', '/api/automation/pause')).status).toBe(200);
    expect((await server.api('POST', '/api/automation/resume')).status).toBe(200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-table').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const rows = () => page.getByTestId('audit-row');

  it('shows each change with actor, via, action, target and what changed, and no secret value', async () => {
    const create = page.locator('[data-testid="audit-row"][data-action="secret.create"]');
    await create.waitFor();
    const text = (await create.textContent()) ?? '';
    expect(text).toContain('admin');
    expect(text).toContain('admin token (API)');
    expect(text).toContain('PD_KEY');
    expect(text).toContain('hosts: events.pagerduty.com');
    const pause = page.locator('[data-testid="audit-row"][data-action="automation.pause"]');
    expect(await pause.textContent()).toContain('paused: false → true');
    expect(await page.content()).not.toContain(SECRET_VALUE);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `audit-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('pages on with Load older until every record is shown', async () => {
    expect(await rows().count()).toBe(50);
    await page.getByTestId('load-older').click();
    await expect.poll(() => rows().count()).toBeGreaterThan(50);
    const total = (await server.api('GET', '/api/audit?limit=200')).body.items.length as number;
    expect(await rows().count()).toBe(total);
    await page.getByText('That is every record.').waitFor();
    // The browser's own sign-in is on the older page, as an editor session from the loopback address.
    const signIn = page.locator('[data-testid="audit-row"][data-action="session.sign_in"]');
    expect(await signIn.textContent()).toContain('editor session');
  });

  it('filters by kind of action and by target, through the address', async () => {
    await page.getByTestId('audit-filter-action').selectOption('secret.*');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/audit?action=secret.*');
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByTestId('audit-filter-clear').click();
    await page.getByTestId('audit-filter-target').fill('disk');
    await page.getByTestId('audit-filter-target').press('Enter');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/audit?target=disk');
    await expect.poll(async () => (await rows().first().textContent()) ?? '').toContain('disk-full');
    await expect.poll(() => rows().count()).toBe(49);
    await page.getByText("That is every record matching the filters.").waitFor();
    await page.getByTestId('audit-filter-actor').fill('nobody-like-this');
    await page.getByTestId('audit-filter-actor').press('Enter');
    await page.getByText('No audit record matches these filters.').waitFor();
    await screenshot(page, 'audit-filtered-empty-1440');
  });
});
