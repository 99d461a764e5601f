import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot, signInWithToken } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import { startServer, type TestServer } from '../kit/server.js';

const ENV_TOKEN = 'env-alertmanager-token-1234';
const RESTART_VALUE = 'restart-api-token-5678-never-shown';
const REPLACED_VALUE = 'restart-api-token-replaced-9012';
const INLINE_VALUE = 'inline-created-token-3456';

/** A flow whose webhook checks AM_TOKEN (from the environment) and whose call sends RESTART_TOKEN (from the store). */
const restartFlow = {
  format: 'salve.flow/v1',
  id: 'restart-web',
  name: 'Restart web',
  enabled: false,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }, position: { x: 40, y: 60 } },
    {
      id: 'restart',
      type: 'action.http',
      config: { url: 'https://restart.example.internal/restart', headers: { Authorization: { secret: 'RESTART_TOKEN' } } },
      position: { x: 40, y: 260 },
    },
  ],
  edges: [{ source: 'am', target: 'restart' }],
};

/**
 * The Secrets page and the flow editor's secret picker against the real secret store API: an
 * operator creates, edits, replaces and deletes secrets without ever seeing a value again, gets
 * refusals next to the field they name, and creates a secret from inside a flow without losing
 * the flow's unsaved edits. Screenshots at three widths.
 */
describe('secrets in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const env = {
    SALVE_SECRET_AM_TOKEN: ENV_TOKEN,
    SALVE_SECRET_AM_TOKEN_HOSTS: 'alertmanager.example.internal',
  };

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [restartFlow], env }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await page.getByTestId('secrets-table').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const row = (name: string) => page.getByTestId(`secret-row-${name}`);
  const dialog = () => page.getByTestId('secret-dialog');
  const listed = async () => (await server.api('GET', '/api/secrets')).body.secrets as { name: string; hosts: string[]; description: string }[];
  const shots = async (name: string) => {
    // Toasts of earlier steps would cover what the pictures are for.
    await expect.poll(() => page.locator('.toast').count(), { timeout: 10_000 }).toBe(0);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  it('lists a secret of the server environment as such, with where it may go and the flow that uses it', async () => {
    const am = row('AM_TOKEN');
    await expect.poll(() => am.getByTestId('secret-source').textContent()).toContain('environment');
    expect(await am.getByTestId('secret-hosts-cell').textContent()).toContain('alertmanager.example.internal');
    expect(await am.textContent()).toContain('SALVE_SECRET_AM_TOKEN');
    // Not the store's to change: no Replace, Edit or Delete.
    expect(await am.getByTestId('secret-replace').count()).toBe(0);
    await am.getByTestId('secret-used-by').getByRole('link', { name: 'Restart web' }).waitFor();
    expect(await am.getByTestId('secret-used-by').getByRole('link').getAttribute('href')).toBe('#/flows/restart-web');
  });

  it('creates a secret from a password box, shows the host a refusal names next to that field, and never shows the value', async () => {
    await page.getByTestId('secret-new').click();
    await page.getByTestId('secret-name').fill('RESTART_TOKEN');
    const value = page.getByTestId('secret-value');
    await value.fill(RESTART_VALUE);
    expect(await value.getAttribute('type')).toBe('password');
    await page.getByTestId('secret-value-toggle').click();
    expect(await value.getAttribute('type')).toBe('text');
    await page.getByTestId('secret-value-toggle').click();
    await page.getByTestId('secret-description').fill('Restart API token (team web)');
    await shots('secrets-new');

    // A URL where a host belongs: the form names the host to enter instead.
    const hostsError = page.getByTestId('secret-hosts-error');
    await page.getByTestId('secret-hosts').fill('https://restart.example.internal/restart');
    await page.getByTestId('secret-save').click();
    await expect.poll(() => hostsError.textContent()).toBe('Entry 1 is a URL; enter only its host: restart.example.internal.');
    // A port out of range: the server refuses, and its message shows under "May be sent to", not elsewhere.
    await page.getByTestId('secret-hosts').fill('restart.example.internal:99999');
    await page.getByTestId('secret-save').click();
    await expect.poll(() => hostsError.textContent()).toContain('99999');
    expect(await page.getByTestId('secret-hosts').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('secret-name-error').count()).toBe(0);
    expect(await page.getByTestId('secret-form-error').count()).toBe(0);
    await shots('secrets-error');
    expect((await listed()).map((s) => s.name)).not.toContain('RESTART_TOKEN');

    await page.getByTestId('secret-hosts').fill('restart.example.internal');
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });
    const restart = row('RESTART_TOKEN');
    await expect.poll(() => restart.getByTestId('secret-hosts-cell').textContent()).toContain('restart.example.internal');
    expect(await restart.getByTestId('secret-source').textContent()).toContain('store');
    expect(await restart.textContent()).toContain('Restart API token (team web)');
    await restart.getByTestId('secret-used-by').getByRole('link', { name: 'Restart web' }).waitFor();
    expect(await page.content()).not.toContain(RESTART_VALUE);
    const stored = (await listed()).find((s) => s.name === 'RESTART_TOKEN');
    expect(stored).toMatchObject({ description: 'Restart API token (team web)', hosts: ['restart.example.internal'] });
    expect(JSON.stringify(await listed())).not.toContain(RESTART_VALUE);

    // Creating a name that exists would replace its value without a word: the form refuses first.
    await page.getByTestId('secret-new').click();
    await page.getByTestId('secret-name').fill('RESTART_TOKEN');
    await page.getByTestId('secret-value').fill('another-value-0000');
    await page.getByTestId('secret-save').click();
    await expect.poll(() => page.getByTestId('secret-name-error').textContent()).toContain('exists already');
    await page.getByTestId('secret-name').fill('AM_TOKEN');
    await page.getByTestId('secret-save').click();
    await expect.poll(() => page.getByTestId('secret-name-error').textContent()).toContain('set by the server environment (SALVE_SECRET_AM_TOKEN)');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
  });

  it('edits where a secret may go, says "nowhere" when it may go nowhere, and replaces a value without showing either', async () => {
    const restart = row('RESTART_TOKEN');
    await restart.getByTestId('secret-edit').click();
    expect(await page.getByTestId('secret-value').count()).toBe(0);
    expect(await page.getByTestId('secret-hosts').inputValue()).toBe('restart.example.internal');
    await page.getByTestId('secret-hosts').fill('');
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });
    await expect.poll(() => restart.getByTestId('secret-hosts-cell').textContent()).toContain('nowhere');
    expect((await listed()).find((s) => s.name === 'RESTART_TOKEN')?.hosts).toEqual([]);

    await restart.getByTestId('secret-edit').click();
    await page.getByTestId('secret-hosts').fill('restart.example.internal, *.web.example.internal');
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });
    await expect.poll(() => restart.getByTestId('secret-hosts-cell').textContent()).toContain('*.web.example.internal');

    await restart.getByTestId('secret-replace').click();
    expect(await page.getByTestId('secret-value').inputValue()).toBe('');
    await page.getByTestId('secret-value').fill(REPLACED_VALUE);
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByText('Replaced the value of RESTART_TOKEN.').waitFor();
    expect(await page.content()).not.toContain(REPLACED_VALUE);
    // Opened again, the value box is empty: the editor never had the stored value.
    await restart.getByTestId('secret-replace').click();
    expect(await page.getByTestId('secret-value').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await shots('secrets-list');
  });

  it('refuses to delete a secret a flow uses, naming the flow, and deletes one no flow uses', async () => {
    await row('RESTART_TOKEN').getByTestId('secret-delete').click();
    await page.getByTestId('secret-delete-confirm').click();
    const refusal = page.getByTestId('secret-delete-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Restart web');
    expect(await refusal.getByRole('link', { name: 'Restart web' }).getAttribute('href')).toBe('#/flows/restart-web');
    await page.keyboard.press('Escape');
    await row('RESTART_TOKEN').waitFor();

    await page.getByTestId('secret-new').click();
    await page.getByTestId('secret-name').fill('UNUSED_TOKEN');
    await page.getByTestId('secret-value').fill('unused-token-value-7777');
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });
    await row('UNUSED_TOKEN').getByTestId('secret-delete').click();
    await page.getByTestId('secret-delete-confirm').click();
    await row('UNUSED_TOKEN').waitFor({ state: 'detached' });
    expect((await listed()).map((s) => s.name)).not.toContain('UNUSED_TOKEN');
  });

  it('creates a secret from the picker in a flow, selects it, and keeps the unsaved edits', async () => {
    await page.goto(`${server.url}/#/flows/restart-web`);
    await page.getByTestId('canvas').waitFor();
    await selectNodeByKeyboard(page, 'am');

    // The picker lists the store's secrets and the environment's, each with where it may go.
    const picker = page.getByTestId('field-auth.token');
    const options = await picker.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['AM_TOKEN — to alertmanager.example.internal', expect.stringMatching(/^RESTART_TOKEN — to restart\.example\.internal/)]));
    expect(await page.getByTestId('secret-help').textContent()).toContain('SALVE_SECRET_AM_TOKEN');

    await page.getByTestId('field-path').fill('infra-v2'); // an edit not saved yet
    await page.getByTestId('dirty').waitFor();
    await picker.selectOption({ label: 'Create secret…' });
    await dialog().waitFor();
    await page.getByTestId('secret-name').fill('AM_TOKEN_V2');
    await page.getByTestId('secret-value').fill(INLINE_VALUE);
    await page.getByTestId('secret-description').fill('Alertmanager webhook token, rotated');
    await shots('secrets-inline-create');
    await page.getByTestId('secret-save').click();
    await dialog().waitFor({ state: 'detached' });

    await expect.poll(() => picker.inputValue()).toBe('AM_TOKEN_V2');
    expect(await page.getByTestId('field-path').inputValue()).toBe('infra-v2');
    expect(await page.getByTestId('secret-help').textContent()).toContain('May be sent nowhere');
    await picker.scrollIntoViewIfNeeded();
    await shots('secrets-picker');
    expect(await page.content()).not.toContain(INLINE_VALUE);
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    const stored = (await server.api('GET', '/api/flows/restart-web')).body.flow;
    expect(stored.nodes.find((n: { id: string }) => n.id === 'am').config).toMatchObject({ path: 'infra-v2', auth: { token: { secret: 'AM_TOKEN_V2' } } });
    expect((await listed()).find((s) => s.name === 'AM_TOKEN_V2')).toMatchObject({ description: 'Alertmanager webhook token, rotated', hosts: [] });
  });

  it('marks a stored secret the server environment also sets as overridden by it', async () => {
    // The same data directory (and so the same key file beside it), now with RESTART_TOKEN in the environment as well.
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, env: { ...env, SALVE_SECRET_RESTART_TOKEN: 'restart-token-from-environment' } });
    await page.goto(`${server.url}/#/secrets`);
    if (await page.getByTestId('signin-use-token').isVisible()) await signInWithToken(page, server.token);
    const restart = row('RESTART_TOKEN');
    await expect.poll(() => restart.textContent()).toContain('overridden by environment');
    expect(await restart.textContent()).toContain('SALVE_SECRET_RESTART_TOKEN');
    expect((await listed()).find((s) => s.name === 'RESTART_TOKEN')).toMatchObject({ source: 'store', overriddenByEnvironment: true });
    await restart.getByTestId('secret-replace').click();
    expect(await dialog().textContent()).toContain('flows get that value, not the stored one');
    await page.keyboard.press('Escape');
    await shots('secrets-overridden');

    // Used by a flow, but the environment sets it too: deleting the stored copy leaves the flow working.
    await restart.getByTestId('secret-delete').click();
    expect(await page.getByTestId('delete-secret-dialog').textContent()).toContain('flows keep using that value');
    await page.getByTestId('secret-delete-confirm').click();
    await expect.poll(() => restart.getByTestId('secret-source').textContent()).toContain('environment');
    expect(await restart.textContent()).not.toContain('overridden by environment');
  });
});
