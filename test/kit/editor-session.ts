import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signedInPage } from './browser.js';
import { removeDir, startServer, type TestServer } from './server.js';

export interface OpenEditorOptions {
  /** Flow documents created (POST /api/flows) before the browser starts. */
  flows?: unknown[];
  /** Environment of the server (SALVE_ALLOWED_TARGETS, SALVE_SECRET_*…). */
  env?: Record<string, string>;
  /** Viewport of the signed-in page; default 1440×900. */
  width?: number;
  height?: number;
  /** Lets the page download files (exports). */
  acceptDownloads?: boolean;
}

/**
 * The usual start of a browser test (in its beforeAll): a real server with `flows` created, a
 * headless Chromium, and a page signed in as the admin. `closeEditor` ends all of it.
 */
export async function openEditor(opts: OpenEditorOptions = {}): Promise<{ server: TestServer; browser: Browser; page: Page }> {
  const server = await startServer(opts.env ? { env: opts.env } : {});
  for (const flow of opts.flows ?? []) expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  const browser = await launchBrowser();
  const page = await signedInPage(browser, server, { width: opts.width, height: opts.height, acceptDownloads: opts.acceptDownloads });
  return { server, browser, page };
}

/** Closes the browser, stops the server and removes its data directory (for afterAll; either may be missing). */
export async function closeEditor(opened: { server?: TestServer; browser?: Browser }): Promise<void> {
  await opened.browser?.close();
  await opened.server?.stop();
  if (opened.server) removeDir(opened.server.dataDir);
}

/**
 * Selects canvas node `id` from the keyboard (focus, Enter) and waits for the node panel to show
 * it. Tried again until it does: on a loaded machine the first Enter can land while the canvas is
 * still rendering its first frame, and is then lost.
 */
export async function selectNodeByKeyboard(page: Page, id: string): Promise<void> {
  const panelId = async () => ((await page.getByTestId('node-id').count()) > 0 ? page.getByTestId('node-id').inputValue() : '');
  await expect
    .poll(
      async () => {
        if ((await panelId()) !== id) {
          await page.locator(`.react-flow__node[data-id="${id}"]`).focus();
          await page.keyboard.press('Enter');
        }
        return panelId();
      },
      { timeout: 20_000 },
    )
    .toBe(id);
}
