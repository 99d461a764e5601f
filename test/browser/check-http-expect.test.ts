import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * A check's `expect` in the editor (examples/restart-and-verify.json): it reads `response`, which
 * only that field has; the field checks it as the server does, lists it first under Available
 * variables, and does not pretend to preview the answer. Screenshots at three widths.
 */
describe("a check's expectation in the editor", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'restart-and-verify.json'), 'utf8'));
    ({ server, browser, page } = await openEditor({ flows: [example] }));
    await page.goto(`${server.url}/#/flows/restart-and-verify`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const panel = () => page.getByTestId('node-panel');
  const problems = () => page.getByTestId('problems').locator('summary').textContent();

  it('checks response.status where the check declares it, and names a typo', async () => {
    // Selected from the keyboard: at a readable zoom the check may sit under the side panel, where a click lands on the panel.
    await selectNodeByKeyboard(page, 'verify_http');
    const field = page.getByTestId('field-expect');
    await field.fill('response.stauts == 200');
    await panel().getByText(/No such key: stauts/).first().waitFor();
    await expect.poll(problems).toContain('1 problem');

    await field.fill('response.status == 200 && response.body.status == "ok"');
    await expect.poll(problems).toBe('No problems');
    await panel().getByText('Available variables').last().click();
    const variables = () => panel().locator('.cf-vars[open] li code').allTextContents();
    await expect.poll(async () => (await variables())[0]).toBe('response');
    await expect.poll(() => page.getByTestId('preview-expect').textContent(), { timeout: 10_000 }).toContain('response is known only when the step runs');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await field.scrollIntoViewIfNeeded();
      await screenshot(page, `check-http-expect-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
