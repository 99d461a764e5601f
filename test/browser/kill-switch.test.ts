import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot, signInWithPassword } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * The automation kill switch in the editor, against a real server: the admin's top-bar control
 * opens a confirmation that says what pausing does; once paused, every page carries a banner
 * naming who paused it, with Resume and the history of pauses and resumes.
 */
describe('automation kill switch in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor());
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const shots = async (name: string) => {
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  const toastsGone = () => expect.poll(() => page.locator('.toast').count(), { timeout: 10_000 }).toBe(0);
  const banner = () => page.getByTestId('automation-paused-banner');

  it('asks before pausing and says what pausing does', async () => {
    await expect.poll(() => page.getByTestId('kill-switch').isEnabled()).toBe(true);
    expect(await banner().count()).toBe(0);
    await page.getByTestId('kill-switch').click();
    const dialog = page.getByTestId('kill-switch-dialog');
    await dialog.waitFor();
    const text = await dialog.textContent();
    expect(text).toContain('Pause all automation?');
    expect(text).toContain('No step starts.');
    expect(text).toContain('still accepted and their runs queued');
    expect(text).toContain('Approvals can still be decided');
    expect(text).toContain('never been paused');
    await shots('kill-switch-confirm');
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await server.api('GET', '/api/automation')).body).toMatchObject({ paused: false });
  });

  it('pauses on confirmation and shows who paused it on every page', async () => {
    await page.getByTestId('kill-switch').click();
    await page.getByTestId('kill-switch-confirm').click();
    await banner().waitFor();
    expect((await server.api('GET', '/api/automation')).body).toMatchObject({ paused: true, pausedBy: { actor: 'admin', action: 'pause' } });
    const text = await banner().textContent();
    expect(text).toMatch(/Automation paused by admin (just now|\d+ s ago)/);
    expect(text).toContain('no step starts');
    expect(await page.getByTestId('kill-switch').textContent()).toContain('Paused');
    await toastsGone();
    await shots('kill-switch-banner-flows');
    // Another page: the banner is still there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL(/#\/runs/);
    await banner().waitFor();
    await shots('kill-switch-banner-runs');
  });

  it('shows the history and resumes from the banner', async () => {
    await page.getByTestId('automation-history-open').click();
    const dialog = page.getByTestId('kill-switch-dialog');
    expect(await dialog.textContent()).toContain('Resume automation?');
    expect(await dialog.textContent()).toMatch(/Automation is paused: admin paused it (just now|\d+ s ago)\. No step starts/);
    const rows = dialog.getByTestId('automation-history').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Pausedadmin');
    await shots('kill-switch-history');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByTestId('automation-resume').click();
    await expect.poll(() => banner().count()).toBe(0);
    expect((await server.api('GET', '/api/automation')).body).toMatchObject({ paused: false, history: [{ action: 'resume' }, { action: 'pause' }] });
    expect(await page.getByTestId('kill-switch').textContent()).toContain('Automation on');
  });

  it('on a phone, pauses from the account menu (the top bar has no room) and resumes from the banner', async () => {
    await toastsGone();
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.getByTestId('kill-switch').isVisible()).toBe(false);
    await page.getByTestId('account-menu').click();
    expect(await page.getByTestId('menu-automation').textContent()).toBe('Pause automation…');
    await page.getByTestId('menu-automation').click();
    await page.getByTestId('kill-switch-confirm').click();
    await banner().waitFor();
    await toastsGone();
    await screenshot(page, 'kill-switch-phone-paused-390');
    await page.getByTestId('automation-resume').click();
    await expect.poll(() => banner().count()).toBe(0);
    expect((await server.api('GET', '/api/automation')).body.history.map((h: { action: string }) => h.action)).toEqual(['resume', 'pause', 'resume', 'pause']);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows a viewer the banner and the history, with nothing to press', async () => {
    const password = 'a viewer password of some length';
    const created = await server.api('POST', '/api/users', { username: 'vic', displayName: 'Vic Viewer', password, roles: [{ team: 'default', roles: ['viewer'] }] });
    expect(created.status).toBe(201);
    expect((await server.api('POST', '/api/automation/pause')).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const viewer = await context.newPage();
    viewer.setDefaultTimeout(10_000);
    await viewer.goto(server.url);
    await signInWithPassword(viewer, 'vic', password);
    const viewerBanner = viewer.getByTestId('automation-paused-banner');
    await viewerBanner.waitFor();
    // Paused with the admin token over the API: the banner names who, as the audit log does.
    expect(await viewerBanner.textContent()).toContain('Automation paused by admin');
    expect(await viewer.getByTestId('automation-resume').count()).toBe(0);
    expect(await viewer.getByTestId('kill-switch').count()).toBe(0);
    await viewer.getByTestId('automation-history-open').click();
    const dialog = viewer.getByTestId('kill-switch-dialog');
    expect(await dialog.textContent()).toContain('Automation pause history');
    expect(await dialog.getByTestId('automation-history').locator('tbody tr').count()).toBe(5);
    expect(await viewer.getByTestId('kill-switch-confirm').count()).toBe(0);
    await screenshot(viewer, 'kill-switch-viewer-history-1024');
    await context.close();
    expect((await server.api('POST', '/api/automation/resume')).status).toBe(200);
  });
});
