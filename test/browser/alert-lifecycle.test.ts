import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { waitFor } from '../kit/wait.js';

/**
 * The alert lifecycle in the editor: the node panel's "When the alert resolves" choice (the
 * type's default marked, saved only when changed), the flow's flap window, and the run view of a
 * run cancelled because its alert resolved while it waited for approval.
 */
const flow = {
  format: 'salve.flow/v1',
  id: 'db-restart',
  name: 'Database down: ask, then restart',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', position: { x: 0, y: 0 }, config: { path: 'db', auth: { type: 'none' } } },
    { id: 'critical', type: 'condition.expr', position: { x: 300, y: 0 }, config: { expression: 'alert.severity == "critical"' } },
    {
      id: 'ask',
      type: 'approval.request',
      label: 'Approve restart',
      position: { x: 600, y: 0 },
      config: { message: 'Restart {{ alert.labels.service }} on {{ alert.labels.instance }}?', timeoutSeconds: 3600 },
    },
    { id: 'restart', type: 'action.shell', position: { x: 900, y: 0 }, config: { command: ['echo', 'restarted'] } },
  ],
  edges: [
    { source: 'am', target: 'critical' },
    { source: 'critical', sourcePort: 'true', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
  ],
};

describe('alert lifecycle, in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow] }));
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const stored = async () => (await server.api('GET', '/api/flows/db-restart')).body.flow as { nodes: { id: string; onResolved?: string }[]; settings?: { flapWindow?: number } };
  const openNode = async (id: string) => {
    await selectNodeByKeyboard(page, id);
  };

  it('offers "When the alert resolves" on the approval, its default marked, and saves a change', async () => {
    await page.goto(`${server.url}/#/flows/db-restart`);
    await page.getByTestId('canvas').waitFor();
    await openNode('ask');
    const choice = page.getByTestId('on-resolved');
    expect(await choice.inputValue()).toBe('cancel');
    expect(await choice.locator('option:checked').textContent()).toBe('Cancel the run (default)');
    await expect.poll(() => page.getByTestId('on-resolved-section').textContent()).toContain('a pending approval closes and leaves the Approvals inbox');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await page.getByTestId('on-resolved-section').scrollIntoViewIfNeeded();
      await screenshot(page, `alert-lifecycle-node-panel-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await choice.selectOption('continue');
    await expect.poll(() => page.getByTestId('on-resolved-section').textContent()).toContain('approvers still decide, and see that the alert has resolved');
    await page.keyboard.press('Control+s');
    await page.getByTestId('saved').waitFor();
    expect((await stored()).nodes.find((n) => n.id === 'ask')?.onResolved).toBe('continue');

    // Back to the default: the document no longer sets it.
    await choice.selectOption('cancel');
    await page.keyboard.press('Control+s');
    await expect.poll(async () => (await stored()).nodes.find((n) => n.id === 'ask')).not.toHaveProperty('onResolved');
  });

  it('offers no such choice on a condition, which never waits', async () => {
    await openNode('critical');
    expect(await page.getByTestId('on-resolved-section').count()).toBe(0);
  });

  it('sets the flow’s flap window in the flow settings', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 400 } });
    const field = page.getByTestId('flow-flap-window');
    await field.waitFor();
    await field.fill('600');
    await expect.poll(() => page.getByTestId('flow-settings').textContent()).toContain('= 10 min');
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      await field.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await screenshot(page, `alert-lifecycle-flap-window-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.keyboard.press('Control+s');
    await expect.poll(async () => (await stored()).settings?.flapWindow).toBe(600);
  });

  it('shows a run cancelled because its alert resolved while it waited for approval, then a refiring as the same incident', async () => {
    const post = (body: unknown) => fetch(`${server.url}/hooks/db`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const firing = amAlert({ fingerprint: 'bl-db3', alertname: 'PostgresDown', instance: 'db3.example.internal:5432' });
    const run = ((await (await post(amPayload([firing]))).json()) as { executions: string[] }).executions[0]!;
    await waitFor(async () => (await server.api('GET', `/api/executions/${run}`)).body.status === 'waiting', 10_000, 'the run waits for approval');
    expect((await post(amPayload([{ ...firing, status: 'resolved', endsAt: new Date().toISOString() }], 'resolved'))).status).toBe(202);
    await waitFor(async () => (await server.api('GET', `/api/executions/${run}`)).body.status === 'cancelled', 10_000, 'the run is cancelled');

    await page.goto(`${server.url}/#/runs/${run}`);
    const banner = page.getByTestId('run-error');
    await expect.poll(() => banner.textContent()).toBe(
      'Cancelled: the alert resolved while waiting for approval at “Approve restart”: its “When the alert resolves” is set to cancel the run, so nothing after it ran.',
    );
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await banner.waitFor();
      await screenshot(page, `alert-lifecycle-cancelled-run-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    // Nothing waits in the Approvals inbox.
    expect((await server.api('GET', '/api/approvals?status=pending')).body.items).toEqual([]);

    // It fires again (a new startsAt) within the flap window saved above: the same incident, no run.
    const again = (await (await post(amPayload([{ ...firing, startsAt: new Date().toISOString() }]))).json()) as { eventId: string; executions: string[] };
    expect(again.executions).toEqual([]);
    await page.goto(`${server.url}/#/events?event=${again.eventId}`);
    const panel = page.getByTestId('event-panel');
    await expect.poll(() => panel.locator('.event-match.flap').textContent()).toMatch(
      /same incident, no new run — fired again .+ after it resolved \(flap window 10 min\); handled by run /,
    );
    await expect.poll(() => page.getByTestId('event-explanation').textContent()).toContain('Same incident again: no new run');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await panel.locator('.event-match.flap').scrollIntoViewIfNeeded();
      await screenshot(page, `alert-lifecycle-flap-event-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
