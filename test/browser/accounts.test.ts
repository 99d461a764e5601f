import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot, signInWithPassword, signInWithToken, signOutOf } from '../kit/browser.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';

const ANA_PASSWORD = 'correct horse battery staple';
const NOBODY_PASSWORD = 'a password with no roles';

/** A small flow document; `id` and `name` tell the rows apart. */
const flowDoc = (id: string, name: string) => ({
  format: 'salve.flow/v1',
  id,
  name,
  enabled: false,
  nodes: [{ id: 'by_hand', type: 'source.manual', config: {}, position: { x: 40, y: 60 } }],
  edges: [],
});

/**
 * Accounts in the editor, against a real server: the admin signs in with the break-glass token,
 * creates a team and a person with the editor role there, and signs out; the person signs in
 * with their password and sees their team's flows only (with the Team column), their sessions and
 * a new API token shown once; someone without a role sees why instead of empty pages. Screenshots
 * of the sign-in, People, Teams and My account pages at three widths.
 */
describe('accounts in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    // A flow of the default team, made before teams were set up: Ana must not see it.
    expect((await server.api('POST', '/api/flows', flowDoc('disk-full', 'Disk full'))).status).toBe(201);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const shots = async (name: string) => {
    // Toasts of earlier steps would cover what the pictures are for.
    await expect.poll(() => page.locator('.toast').count(), { timeout: 10_000 }).toBe(0);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  it('offers username and password first, and the admin token as the labelled break-glass way in', async () => {
    await page.goto(server.url);
    await page.locator('#signin-username').waitFor();
    expect(await page.locator('#admin-token').count()).toBe(0);
    // No single sign-on configured: no button for it.
    expect(await page.getByTestId('signin-sso').count()).toBe(0);
    await shots('sign-in');
    await page.getByTestId('signin-use-token').click();
    expect(await page.getByTestId('signin-token-form').textContent()).toContain('Break-glass');
    // The test server gets its token from the environment: the page says which variable.
    expect(await page.getByTestId('signin-token-form').textContent()).toContain('SALVE_ADMIN_TOKEN');
    await shots('sign-in-token');
  });

  it('lets the admin sign in with the token, named as break-glass in the header', async () => {
    await page.locator('#admin-token').fill(server.token);
    await page.getByTestId('signin-token-submit').click();
    await nav().waitFor();
    expect(await page.getByTestId('account-name').textContent()).toBe('Admin token (break-glass)');
    for (const section of ['Flows', 'Audit', 'People', 'Teams']) await nav().getByRole('link', { name: section }).waitFor();
  });

  it('creates a team, and shows why a team that owns flows cannot be deleted', async () => {
    await nav().getByRole('link', { name: 'Teams' }).click();
    await page.getByTestId('team-row-default').waitFor();
    await page.getByTestId('team-new').click();
    await page.getByTestId('team-id').fill('Payments Team');
    await page.getByTestId('team-name-input').fill('Payments');
    await page.getByTestId('team-save').click();
    // A bad id is refused at the field, before anything is sent.
    await page.getByTestId('team-id-error').waitFor();
    await page.getByTestId('team-id').fill('payments');
    await page.getByTestId('team-save').click();
    await page.getByTestId('team-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('team-row-payments').waitFor();
    expect((await server.api('GET', '/api/teams')).body.items.map((t: { id: string }) => t.id)).toContain('payments');

    // The default team is never offered for deletion; one that owns a flow is refused with the reason.
    expect(await page.getByTestId('team-row-default').getByTestId('team-delete').count()).toBe(0);
    expect((await server.api('POST', '/api/flows?team=payments', flowDoc('pay-restart', 'Restart payments API'))).status).toBe(201);
    await page.getByTestId('team-row-payments').getByTestId('team-delete').click();
    await page.getByTestId('team-delete-confirm').click();
    const refused = page.getByTestId('team-delete-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/flow/i);
    await shots('teams-delete-refused');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('team-row-payments').textContent()).toContain('Payments');
    await shots('teams');
  });

  it('asks the admin which team a new flow is for, now that there are two', async () => {
    await nav().getByRole('link', { name: 'Flows' }).click();
    await page.getByTestId('flows-new').click();
    const choice = page.getByTestId('team-choice');
    await choice.waitFor();
    expect(await choice.getByRole('radio').count()).toBe(2);
    await shots('flows-team-choice');
    await page.getByTestId('team-choice-payments').check();
    await page.getByTestId('team-choice-continue').click();
    await expect.poll(() => page.getByTestId('flow-team').textContent()).toBe(' · for team Payments');
    expect(page.url()).toContain('#/new?team=payments');
    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByTestId('flow-row-disk-full').waitFor();
  });

  it('creates a person with the editor role in that team', async () => {
    await nav().getByRole('link', { name: 'People' }).click();
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-username').fill('ana');
    await page.getByTestId('user-display-name').fill('Ana Lima');
    await page.getByTestId('user-password').fill('short');
    await page.getByTestId('role-payments-editor').check();
    await page.getByTestId('user-save').click();
    // Too short: said under the password field, and nothing was created.
    await expect.poll(() => page.getByTestId('user-password-error').textContent()).toBe('A password has at least 12 characters.');
    expect((await server.api('GET', '/api/users')).body.items).toEqual([]);
    await page.getByTestId('user-password').fill(ANA_PASSWORD);
    await shots('people-new');
    await page.getByTestId('user-save').click();
    await page.getByTestId('user-dialog').waitFor({ state: 'detached' });
    const row = page.getByTestId('user-row-ana');
    await expect.poll(() => row.getByTestId('user-roles').textContent()).toContain('Payments');
    expect(await row.getByTestId('user-roles').textContent()).toContain('editor');
    expect(await row.textContent()).toContain('password');
    // Someone without a role, for the last step.
    expect((await server.api('POST', '/api/users', { username: 'nobody', displayName: 'Noa Body', password: NOBODY_PASSWORD })).status).toBe(201);
    await page.reload();
    await page.getByTestId('user-row-nobody').waitFor();
    expect(await page.getByTestId('user-row-nobody').getByTestId('user-roles').textContent()).toContain('no role');
    await shots('people');
    await signOutOf(page);
  });

  it('signs the person in with the password and shows only their team’s flows, with the Team column', async () => {
    await signInWithPassword(page, 'ana', 'not the password at all');
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toBe('Wrong username or password.');
    await signInWithPassword(page, 'ana', ANA_PASSWORD);
    await nav().waitFor();
    expect(await page.getByTestId('account-name').textContent()).toBe('Ana Lima');
    // No admin sections for an editor.
    for (const section of ['Audit', 'People', 'Teams']) expect(await nav().getByRole('link', { name: section }).count()).toBe(0);
    const row = page.getByTestId('flow-row-pay-restart');
    await row.waitFor();
    expect(await page.getByRole('columnheader', { name: 'Team' }).count()).toBe(1);
    expect(await row.getByTestId('flow-team-cell').textContent()).toBe('Payments');
    expect(await page.getByTestId('flow-row-disk-full').count()).toBe(0);
    // An editor is not an operator: the enable switch says so and a click changes nothing.
    const toggle = page.getByTestId('flow-toggle-pay-restart');
    expect(await toggle.getAttribute('title')).toBe('Only operators of Payments can enable or disable this flow');
    const before = await toggle.getAttribute('aria-checked');
    expect(await toggle.getAttribute('aria-disabled')).toBe('true');
    await toggle.click({ force: true }); // as a mouse would, though it is marked disabled
    expect(await toggle.getAttribute('aria-checked')).toBe(before);
    expect(await page.locator('.toast').count()).toBe(0);
    await shots('flows-team-column');
    // One team to write in: New flow goes straight there, no question, and the editor names the team.
    await page.getByTestId('flows-new').click();
    await expect.poll(() => page.getByTestId('flow-team').textContent()).toContain('Payments');
    expect(await page.getByTestId('team-choice').count()).toBe(0);
    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByTestId('flow-row-pay-restart').getByRole('link', { name: 'Restart payments API', exact: true }).click();
    await expect.poll(() => page.getByTestId('flow-team').textContent()).toBe(' · team Payments');
  });

  it('shows the person their sessions and a new API token once', async () => {
    await page.getByTestId('account-menu').click();
    await page.getByTestId('menu-account').click();
    const current = page.locator('[data-testid="session-row"][data-current]');
    await current.waitFor();
    expect(await current.getByTestId('session-current').textContent()).toBe('this browser');
    expect(await current.textContent()).toContain('Headless Chrome');

    // Password refusals are said at the field.
    await page.locator('#pw-current').fill('wrong current password');
    await page.locator('#pw-password').fill('another long password');
    await page.locator('#pw-repeat').fill('another long password');
    await page.getByTestId('password-save').click();
    await expect.poll(() => page.getByTestId('password-current-error').textContent()).toBe('That is not your current password.');

    await page.getByTestId('token-new').click();
    await page.getByTestId('token-name').fill('deploy script');
    await page.getByTestId('token-create').click();
    const value = page.getByTestId('token-value');
    await value.waitFor();
    const token = (await value.textContent()) ?? '';
    expect(token).toMatch(/^salve_pat_/);
    expect(await page.getByTestId('token-created').textContent()).toContain('will not show it again');
    // The token works as the person, in their team.
    const res = await fetch(`${server.url}/api/flows`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { items: { id: string }[] }).items.map((f) => f.id)).toEqual(['pay-restart']);
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(1);
    await shots('account-token-created');
    await page.getByTestId('token-created-done').click();
    expect(await page.content()).not.toContain(token);
    await shots('account');
    await signOutOf(page);
  });

  it('tells someone without a role why they see nothing, instead of empty lists', async () => {
    await signInWithPassword(page, 'nobody', NOBODY_PASSWORD);
    const explanation = page.getByTestId('no-role-explanation');
    await explanation.waitFor();
    expect(await explanation.textContent()).toBe('You are signed in, but hold no role in any team yet. Ask an admin to add you to a team.');
    expect(await nav().getByRole('link').count()).toBe(0);
    await shots('account-no-role');
    await signOutOf(page);
    // The admin token still works after all of it (break-glass is never locked out).
    await signInWithToken(page, server.token);
    await nav().waitFor();
  });

  it('lets the admin make an API token for a service account, shown once, that works until revoked', async () => {
    // Signed in with the admin token (previous step). A service account with the operator role in Payments.
    await nav().getByRole('link', { name: 'People' }).click();
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-kind-service').click();
    await page.getByTestId('user-username').fill('ci-bot');
    await page.getByTestId('user-display-name').fill('CI bot');
    await page.getByTestId('role-payments-operator').check();
    await page.getByTestId('user-save').click();
    await page.getByTestId('user-dialog').waitFor({ state: 'detached' });
    const row = page.getByTestId('user-row-ci-bot');
    await row.getByTestId('user-tokens').click();
    const dialog = page.getByTestId('service-tokens-dialog');
    await dialog.getByTestId('tokens-empty').waitFor();
    await dialog.getByTestId('token-new').click();
    // Only what the account holds can be given: operator in Payments, not editor.
    expect(await dialog.getByTestId('token-role-editor').isDisabled()).toBe(true);
    await dialog.getByTestId('token-name').fill('deploy pipeline');
    await dialog.getByTestId('token-role-operator').check();
    await dialog.getByTestId('token-create').click();
    const value = (await dialog.getByTestId('token-value').textContent())!;
    expect(value).toMatch(/^salve_pat_/);
    await shots('people-service-token');
    await dialog.getByTestId('token-created-done').click();
    expect(await dialog.getByTestId('token-row').count()).toBe(1);

    // The token acts as the account: it reads Payments' flows, and nothing of other teams.
    const asBot = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${value}` } });
    const flows = await asBot('/api/flows');
    expect(flows.status).toBe(200);
    expect(((await flows.json()) as any).items.map((f: any) => f.id)).toEqual(['pay-restart']);

    await dialog.getByTestId('token-revoke').click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.getByTestId('tokens-empty').waitFor();
    expect((await asBot('/api/flows')).status).toBe(401);
  });
});
