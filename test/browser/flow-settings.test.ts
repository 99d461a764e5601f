import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * A flow's own destination list in the flow settings panel: loaded, edited, checked as the
 * server checks it, saved, and never dropped by a save. Screenshots at three widths.
 */
describe('Allowed destinations in the flow settings panel', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const flow = {
    format: 'salve.flow/v1',
    id: 'agents',
    name: 'Clean up through the host agent',
    enabled: false,
    settings: { allowedTargets: ['10.20.0.0/16:9100'] },
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } }, position: { x: 80, y: 120 } },
      { id: 'clean', type: 'action.http', config: { url: 'http://{{ alert.labels.instance }}/cleanup' }, position: { x: 420, y: 120 } },
    ],
    edges: [{ source: 'am', target: 'clean' }],
  };

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow] }));
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const field = () => page.getByTestId('flow-allowed-targets');

  it('shows the list, names a bad entry, and saves the edited list', async () => {
    await page.goto(`${server.url}/#/flows/agents`);
    await field().waitFor();
    expect(await field().inputValue()).toBe('10.20.0.0/16:9100');

    await field().fill('10.20.0.0/16:9100\nnot a host');
    await page.getByTestId('flow-settings').getByText('"not a host": an entry has no spaces: one entry per line, or separate entries with commas').waitFor();
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `flow-settings-allowed-targets-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await field().fill('10.20.0.0/16:9100\nagent.example.internal\n');
    expect(await field().inputValue()).toBe('10.20.0.0/16:9100\nagent.example.internal\n'); // typing a new line is not eaten
    // Problems follow typing by 200 ms; saving waits until the fixed entry is no longer one.
    await expect.poll(() => page.getByTestId('flow-settings').locator('.field-error').count()).toBe(0);
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    const saved = (await server.api('GET', '/api/flows/agents')).body;
    expect(saved.flow.settings).toEqual({ allowedTargets: ['10.20.0.0/16:9100', 'agent.example.internal'] });

    // A save of another change keeps the list; emptying the box removes it.
    await page.getByTestId('flow-name').fill('Clean up through the agent');
    await page.getByTestId('save').click();
    await expect.poll(async () => (await server.api('GET', '/api/flows/agents')).body.revision).toBe(saved.revision + 1);
    expect((await server.api('GET', '/api/flows/agents')).body.flow.settings).toEqual(saved.flow.settings);
    await field().fill('');
    await page.getByTestId('save').click();
    await expect.poll(async () => (await server.api('GET', '/api/flows/agents')).body.revision).toBe(saved.revision + 2);
    expect((await server.api('GET', '/api/flows/agents')).body.flow).not.toHaveProperty('settings');
  });
});
