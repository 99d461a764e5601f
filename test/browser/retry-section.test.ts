import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { diskFullFlow } from '../kit/alertmanager.js';

/**
 * The node panel's Retry section: a command (not idempotent) needs "running it twice is safe"
 * before its retry policy saves; the policy is saved into the flow document as written.
 */
describe('retrying a step, in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [diskFullFlow('http://agent.example.com')] }));
    await page.goto(`${server.url}/#/flows/disk-full`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const problems = () => page.getByTestId('problems').locator('summary').textContent();

  it('asks whether running a command twice is safe, then saves the policy', async () => {
    await selectNodeByKeyboard(page, 'restart');
    const section = page.getByTestId('retry-section');
    await expect.poll(() => section.textContent()).toContain('Off: a failure takes the error path at once.');

    await page.getByTestId('retry-enabled').check();
    await expect.poll(() => section.textContent()).toContain('Up to 3 tries in all; waits 10 s, then 20 s between them.');
    await expect.poll(problems).toContain('1 problem');
    await expect.poll(() => page.getByTestId('node-panel').textContent()).toContain('is not idempotent, so a retry after a failure may do its work twice');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await section.scrollIntoViewIfNeeded();
      await screenshot(page, `retry-section-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.getByTestId('retry-unsafe').check();
    await page.getByTestId('retry-attempts').fill('4');
    await expect.poll(problems).toBe('No problems');
    await page.keyboard.press('Control+s');
    await page.getByTestId('saved').waitFor();
    const stored = await server.api('GET', '/api/flows/disk-full');
    const restart = (stored.body.flow.nodes as { id: string; retry?: unknown; retryUnsafe?: boolean }[]).find((n) => n.id === 'restart');
    expect(restart).toMatchObject({ retry: { attempts: 4, backoff: 'exponential', initialDelay: 10, maxDelay: 300, jitter: 0.2 }, retryUnsafe: true });
  });

  it('offers no retries on a condition', async () => {
    await selectNodeByKeyboard(page, 'disk');
    expect(await page.getByTestId('retry-section').count()).toBe(0);
  });
});
