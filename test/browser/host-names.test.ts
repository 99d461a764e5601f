import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, signInWithToken } from '../kit/browser.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';

/** A name "an attacker" controls; Chromium resolves it to loopback, as DNS rebinding would. */
const REBOUND = 'rebind.attacker.example';

/**
 * The editor signs in at 127.0.0.1 and at localhost; a page at another name that resolves to
 * Salve's address (DNS rebinding) is refused at sign-in with the message that says what to set.
 */
describe('the editor at different host names', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser([`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const signInAt = async (host: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`http://${host}:${new URL(server.url).port}/`);
    await signInWithToken(page, server.token);
    return { context, page };
  };

  it('signs in and lists flows at 127.0.0.1 and at localhost', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const { context, page } = await signInAt(host);
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      await context.close();
    }
  });

  it('refuses to sign in through a rebound name, and says to set SALVE_PUBLIC_ORIGIN', async () => {
    const { context, page } = await signInAt(REBOUND);
    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toContain('SALVE_PUBLIC_ORIGIN');
    expect((await context.cookies()).filter((c) => c.name === 'salve_session')).toEqual([]);
    await context.close();
  });
});
