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

/** Saves `test/artifacts/<name>.png` of the whole viewport. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
