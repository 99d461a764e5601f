import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots for people to look at; ignored by git. */
const ARTIFACTS = join(ROOT, 'test', 'artifacts');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The system Chromium or Chrome (playwright-core does not download browsers). SALVE_CHROMIUM
 * names another one. A missing browser fails the tests with the fix, rather than skipping them.
 */
function findChromium(): string {
  const found = [process.env.SALVE_CHROMIUM, ...CANDIDATES].find((p): p is string => Boolean(p) && existsSync(p!));
  if (!found) {
    throw new Error(
      `no Chromium or Chrome found (looked at ${CANDIDATES.join(', ')}). Install one (Debian: apt-get install chromium) or set SALVE_CHROMIUM.`,
    );
  }
  return found;
}

/** Headless Chromium with the network features that phone home turned off; `extraArgs` are added. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/** Saves `test/artifacts/<name>.png` of the whole viewport (`fullPage`: of the whole page, for long lists). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? false });
  return path;
}

/**
 * Opens a page in `browser` and signs in to `url` with the admin token, as an operator does:
 * the sign-in page's break-glass form, then the main navigation. Uncaught page errors fail the test. The viewport
 * defaults to a 1440×900 desktop; pass `phone: true` for a 390×844 touch screen.
 */
export async function signedInPage(
  browser: Browser,
  server: { url: string; token: string },
  opts: { width?: number; height?: number; phone?: boolean; acceptDownloads?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext(
    opts.phone
      ? { viewport: { width: opts.width ?? 390, height: opts.height ?? 844 }, hasTouch: true, isMobile: true }
      : { viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 }, acceptDownloads: opts.acceptDownloads ?? false },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(server.url);
  await signInWithToken(page, server.token);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** On the sign-in page: the break-glass way in, with the admin token. Returns once the form is sent. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByTestId('signin-use-token').click();
  await page.locator('#admin-token').fill(token);
  await page.getByTestId('signin-token-submit').click();
}

/** On the sign-in page: a person's username and password. Returns once the form is sent. */
export async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#signin-username').fill(username);
  await page.locator('#signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
}

/** Signs out through the account menu, and waits for the sign-in page. */
export async function signOutOf(page: Page): Promise<void> {
  await page.getByTestId('account-menu').click();
  await page.getByTestId('sign-out').click();
  await page.locator('#signin-username').waitFor();
}
