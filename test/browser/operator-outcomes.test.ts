import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signedInPage } from '../kit/browser.js';
import { closeEditor } from '../kit/editor-session.js';
import { startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

const source = (path: string) => ({ id: 'am', type: 'source.alertmanager', config: { path, auth: { type: 'none' } } });

/** Critical alerts only pass through a "warning" check to nowhere; warnings get a (harmless) fix. */
const warningsOnly = {
  format: 'salve.flow/v1',
  id: 'warnings-only',
  name: 'Disk warnings: clean up',
  enabled: true,
  nodes: [
    source('infra'),
    { id: 'only_warnings', type: 'condition.match', label: 'Only warnings', config: { matchers: 'severity="warning"' } },
    { id: 'clean', type: 'action.shell', label: 'Clean /var/tmp', config: { command: ['echo', 'cleaned', '{{ alert.labels.instance }}'] } },
  ],
  edges: [
    { source: 'am', target: 'only_warnings' },
    { source: 'only_warnings', sourcePort: 'match', target: 'clean' },
  ],
};

const restartDb = {
  format: 'salve.flow/v1',
  id: 'restart-db',
  name: 'Database down: restart',
  enabled: true,
  nodes: [
    source('db'),
    // Left to the approvers when the alert resolves (approvals cancel by default): the page tells them it did.
    { id: 'ask', type: 'approval.request', onResolved: 'continue', config: { message: 'Restart {{ alert.labels.service }} on {{ alert.labels.instance }}?', timeoutSeconds: 3600 } },
    { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarted', '{{ alert.labels.service }}'] } },
  ],
  edges: [
    { source: 'am', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
  ],
};

const oldHook = { format: 'salve.flow/v1', id: 'old-hook', name: 'Old hook', enabled: false, nodes: [source('legacy')], edges: [] };

/**
 * Three things an on-call operator must not misread, in a real browser: a run that did nothing
 * is not a success, an approval says when its alert resolved meanwhile, and a delivery to a path
 * no flow listens on is in Events with the reason. Screenshots at three widths for people to check.
 */
describe('operator outcomes in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let noActionRun = '';
  let actedRun = '';
  let approvalId = '';
  const events: Record<string, string> = {};

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startServer();
    for (const flow of [warningsOnly, restartDb, oldHook]) expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);

    const critical = (await (await post('infra', amPayload([amAlert({ fingerprint: 'o-critical' })]))).json()) as { executions: string[] };
    noActionRun = critical.executions[0]!;
    const warning = (await (await post('infra', amPayload([amAlert({ fingerprint: 'o-warning', severity: 'warning', instance: 'db2.example.internal:9100' })]))).json()) as {
      executions: string[];
    };
    actedRun = warning.executions[0]!;

    const firing = amAlert({ fingerprint: 'o-db', alertname: 'PostgresDown', instance: 'db3.example.internal:5432' });
    expect((await post('db', amPayload([firing]))).status).toBe(202);
    approvalId = await waitFor(async () => {
      const items = (await server.api('GET', '/api/approvals?status=pending')).body.items as { id: string }[];
      return items[0]?.id;
    });
    // Then the alert resolves on its own, while the approval still waits.
    const resolved = { ...amAlert({ fingerprint: 'o-db', alertname: 'PostgresDown', instance: 'db3.example.internal:5432', status: 'resolved' }), endsAt: new Date().toISOString() };
    expect((await post('db', amPayload([resolved], 'resolved'))).status).toBe(202);

    expect((await post('nothere', amPayload([amAlert()]))).status).toBe(404);
    expect((await post('legacy', amPayload([amAlert()]))).status).toBe(404);
    const notFound = await waitFor(async () => {
      const items = (await server.api('GET', '/api/events?outcome=not_found')).body.items as { id: string; path: string }[];
      return items.length === 2 && items;
    });
    events.nothere = notFound.find((e) => e.path === 'nothere')!.id;
    events.legacy = notFound.find((e) => e.path === 'legacy')!.id;
    await waitFor(async () => ['no_action', 'succeeded'].includes((await server.api('GET', `/api/executions/${actedRun}`)).body.status) && (await server.api('GET', `/api/executions/${noActionRun}`)).body.status === 'no_action');

    browser = await launchBrowser();
    page = await signedInPage(browser, server);
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  /** One screenshot per width of what is on screen now, named `<name>-<width>`. */
  const atEveryWidth = async (name: string, ready: () => Promise<unknown>) => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await ready();
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  it('shows a run that did nothing as "no action", apart from one that acted, with its own filter', async () => {
    await page.getByRole('link', { name: 'Runs' }).first().click();
    const pill = (id: string) => page.getByTestId(`run-row-${id}`).locator('.status').first();
    await pill(noActionRun).waitFor();
    expect(await pill(noActionRun).getAttribute('data-status')).toBe('no_action');
    expect(await pill(noActionRun).textContent()).toBe('no action');
    await expect.poll(() => pill(actedRun).getAttribute('data-status')).toBe('succeeded');
    await atEveryWidth('runs-no-action', () => pill(noActionRun).waitFor());

    await page.getByTestId('status-filter').selectOption('no_action');
    await expect.poll(() => page.locator('tr[data-testid^="run-row-"]').count()).toBe(1);
    await page.getByTestId(`run-row-${noActionRun}`).waitFor();
    await page.getByTestId('status-filter').selectOption('succeeded');
    await expect.poll(() => page.locator('tr[data-testid^="run-row-"]').count()).toBe(1);
    await page.getByTestId(`run-row-${actedRun}`).waitFor();
    await page.getByTestId('status-filter').selectOption('');

    await page.getByTestId(`run-row-${noActionRun}`).getByRole('link').first().click();
    const banner = page.getByTestId('run-error');
    await banner.waitFor();
    expect(await banner.textContent()).toBe(
      'No action taken. It stopped at “Only warnings” → nomatch, which leads nowhere. No action or approval step ran, so nothing was changed.',
    );
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('no_action');
    await screenshot(page, 'run-no-action');
  });

  it('warns on the approval card that the alert resolved after the approval was asked', async () => {
    await page.getByRole('link', { name: /Approvals/ }).click();
    const card = page.getByTestId(`approval-${approvalId}`);
    const resolved = card.getByTestId(`approval-resolved-${approvalId}`);
    await resolved.waitFor();
    expect(await resolved.textContent()).toMatch(/^The alert has resolved\. That was (right when|.+ after) this approval was requested: the problem may have gone away\./);
    expect(await resolved.textContent()).toContain('Check that the fix is still needed before approving.');
    // Never "firing" beside "resolved": the alert's state reads resolved.
    expect(await card.getByTestId('alert-state').textContent()).toBe('resolved');
    await atEveryWidth('approval-alert-resolved', () => resolved.waitFor());

    // The run says the same: resolved in its header, and its waiting approval tells so.
    await card.getByRole('link', { name: /Open run/ }).click();
    await page.getByTestId('alert-resolved').waitFor();
    expect(await page.getByTestId('alert-summary').getByTestId('alert-state').textContent()).toBe('resolved');
    expect(await page.getByTestId(`run-approval-${approvalId}`).textContent()).toContain('The alert has resolved: check that this is still needed.');
    await screenshot(page, 'run-approval-alert-resolved');
  });

  it('lists deliveries that no enabled flow listens on, with the reason in plain words', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    const row = (id: string) => page.getByTestId(`event-row-${id}`);
    await row(events.legacy!).waitFor();
    expect(await page.getByTestId(`event-outcome-${events.legacy}`).getAttribute('data-outcome')).toBe('not_found');
    expect(await page.getByTestId(`event-outcome-${events.legacy}`).textContent()).toBe('no flow');
    expect(await page.getByTestId(`event-reason-${events.legacy}`).textContent()).toBe("no enabled flow listens on /hooks/legacy — flow 'Old hook' on this path is disabled");
    expect(await page.getByTestId(`event-reason-${events.nothere}`).textContent()).toBe('no flow listens on /hooks/nothere; enabled flows listen on /hooks/db, /hooks/infra');
    expect(await row(events.nothere!).textContent()).toContain('HTTP 404');
    await atEveryWidth('events-not-found', () => row(events.legacy!).waitFor());

    // Its own filter, and the disabled flow finds it under its name.
    await page.getByTestId('filter-outcome').selectOption('not_found');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(2);
    await page.getByTestId('filter-flow').selectOption('old-hook');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(1);
    await row(events.legacy!).locator('td').nth(5).click();
    const panel = page.getByTestId('event-panel');
    await panel.getByTestId('event-explanation').waitFor();
    expect(await panel.getByTestId('event-explanation').textContent()).toContain('Refused: no enabled flow on this path (404).');
    expect(await panel.getByTestId('event-route-old-hook').textContent()).toContain('flow disabled: receives nothing');
    await screenshot(page, 'events-panel-not-found');
  });
});
