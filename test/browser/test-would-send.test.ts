import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * The Test panel shows the Slack message a notification would post (examples/slack-then-reply.json),
 * built from the sample alert, without posting it. Screenshots at three widths.
 */
describe('what a notification would send, in the Test panel', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'slack-then-reply.json'), 'utf8'));
    ({ server, browser, page } = await openEditor({ flows: [example] }));
    await page.goto(`${server.url}/#/flows/slack-then-reply?tab=test`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('renders the message for the sample alert and sends nothing', async () => {
    await page.getByTestId('run-test').click();
    await page.getByTestId('test-result').waitFor();
    const wouldSend = page.getByTestId('test-would-send-tell_slack');
    await expect.poll(() => wouldSend.textContent()).toContain('Would send: POST https://slack.com/api/chat.postMessage');
    expect(await wouldSend.textContent()).toContain('"blocks"');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await wouldSend.scrollIntoViewIfNeeded();
      await screenshot(page, `test-would-send-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
