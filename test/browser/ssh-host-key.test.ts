import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

const FINGERPRINT = 'SHA256:/y+oSsV86Y3jahqKy4kDCqZSs+SxJkSEJjv5ZmRAKDo';
const KNOWN_HOSTS = 'db1.example.internal ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAING1rtKB+aN7FRDsQ4EhaO7E5zqbIuimx5ozd6E7GQUS';

/**
 * The SSH step of examples/disk-full-ssh-verify.json in the editor: its pinned host key is typed
 * one pin a line (a fingerprint, a known_hosts line as ssh-keyscan prints it), a line that pins
 * nothing is named, and its credentials are secrets only. Screenshots at three widths.
 */
describe("an SSH step's host key in the editor", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'disk-full-ssh-verify.json'), 'utf8'));
    ({ server, browser, page } = await openEditor({ flows: [example] }));
    await page.goto(`${server.url}/#/flows/disk-full-ssh-verify`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const panel = () => page.getByTestId('node-panel');
  const problems = () => page.getByTestId('problems').locator('summary').textContent();

  it('takes several pins, one a line, and names a line that pins nothing', async () => {
    await selectNodeByKeyboard(page, 'clean_disk');
    const field = page.getByTestId('field-hostKey');
    await field.fill(`${FINGERPRINT}\naccept any key`);
    await panel().getByText(/"accept any key" is neither a SHA256:… fingerprint nor a known_hosts line/).first().waitFor();
    await expect.poll(problems).toContain('1 problem');

    await field.fill(`${FINGERPRINT}\n${KNOWN_HOSTS}`);
    await expect.poll(problems).toBe('No problems');
    expect(await field.inputValue()).toBe(`${FINGERPRINT}\n${KNOWN_HOSTS}`);
    // The private key is chosen among secrets: there is no text to type it into.
    await expect.poll(() => panel().getByText('SSH_KEY').count()).toBeGreaterThan(0);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await field.scrollIntoViewIfNeeded();
      await screenshot(page, `ssh-host-key-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
