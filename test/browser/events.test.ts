import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signedInPage } from '../kit/browser.js';
import { closeEditor } from '../kit/editor-session.js';
import { startServer, type TestServer } from '../kit/server.js';
import { nextMillisecond, waitFor } from '../kit/wait.js';

const AM_TOKEN = 'events-browser-token';

/**
 * The Events page in a real browser: after a few real deliveries (a run, a repeat, a
 * resolution, a stranger with a wrong token, a broken payload) an operator can see each one,
 * why nothing ran where nothing did, filter, and open one to read its headers and body.
 */
describe('events page in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, string> = {};
  let runId = '';

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    // Each delivery in its own millisecond, so the time-ordered event ids keep the order they were sent in.
    await nextMillisecond();
    return fetch(`${server.url}/hooks/infra`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  };

  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'disk-full',
      name: 'Disk full: clean up',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'am', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);

    const accepted = (await (await post(amPayload([amAlert({ fingerprint: 'b-1' }), amAlert({ fingerprint: 'b-2', instance: 'db2.example.internal:9100' })]))).json()) as {
      eventId: string;
      executions: string[];
    };
    ids.accepted = accepted.eventId;
    runId = accepted.executions[0]!;
    ids.duplicate = ((await (await post(amPayload([amAlert({ fingerprint: 'b-1' })]))).json()) as { eventId: string }).eventId;
    ids.ignored = ((await (await post(amPayload([amAlert({ fingerprint: 'b-1', status: 'resolved' })], 'resolved'))).json()) as { eventId: string }).eventId;
    const big = amPayload([amAlert({ fingerprint: 'b-x' })]) as any;
    big.commonAnnotations.pad = 'x'.repeat(6000);
    expect((await post(big, { authorization: 'Bearer wrong-token' })).status).toBe(401);
    const bad = amPayload([amAlert({ fingerprint: 'b-bad' })]) as any;
    bad.alerts[0].status = 'burning';
    expect((await post(bad)).status).toBe(422);
    const all = await waitFor(async () => {
      const items = (await server.api('GET', '/api/events')).body.items as { id: string; outcome: string }[];
      return items.length === 5 && items;
    });
    ids.rejected = all.find((e) => e.outcome === 'rejected')!.id;
    ids.invalid = all.find((e) => e.outcome === 'invalid')!.id;

    browser = await launchBrowser();
    page = await signedInPage(browser, server, { width: 1400, height: 860 });
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const outcomeOf = (id: string) => page.getByTestId(`event-outcome-${id}`);

  it('lists every delivery with its outcome, the runs it started, and why nothing ran', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.waitForURL(/#\/events$/);
    await page.getByTestId(`event-row-${ids.accepted}`).waitFor();
    for (const outcome of ['accepted', 'duplicate', 'ignored', 'rejected', 'invalid'] as const) {
      await expect.poll(() => outcomeOf(ids[outcome]!).getAttribute('data-outcome'), { message: outcome }).toBe(outcome);
    }
    expect(await page.locator('tr[data-testid^="event-row-"]').count()).toBe(5);
    // The run link goes to the run.
    await expect.poll(() => page.getByTestId(`event-run-${runId}`).getAttribute('href')).toBe(`#/runs/${runId}`);
    expect(await page.getByTestId(`event-reason-${ids.ignored}`).textContent()).toBe('resolved alert: source starts runs on firing only');
    expect(await page.getByTestId(`event-reason-${ids.rejected}`).textContent()).toBe('disk-full/am: wrong bearer token');
    expect(await page.getByTestId(`event-row-${ids.duplicate}`).textContent()).toContain('already handled');
    expect(await page.getByTestId(`event-row-${ids.invalid}`).textContent()).toContain('alerts[0].status');
    await screenshot(page, 'events');
  });

  it('shows a delivery arriving while the page is open (live refresh)', async () => {
    const res = await post(amPayload([amAlert({ fingerprint: 'b-live', instance: 'db9.example.internal:9100' })]));
    const { eventId } = (await res.json()) as { eventId: string };
    ids.live = eventId;
    await page.getByTestId(`event-row-${eventId}`).waitFor({ timeout: 8000 });
    expect(await outcomeOf(eventId).getAttribute('data-outcome')).toBe('accepted');
  });

  it('filters by outcome, source, flow and path, kept in the address', async () => {
    await page.getByTestId('filter-outcome').selectOption('rejected');
    await page.waitForURL(/outcome=rejected/);
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(1);
    await page.getByTestId(`event-row-${ids.rejected}`).waitFor();
    await page.getByTestId('filter-clear').click();
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(6);

    await page.getByTestId('filter-source').selectOption('webhook');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(0);
    await page.getByText('No delivery matches these filters').waitFor();
    await page.getByTestId('filter-source').selectOption('alertmanager');
    await page.getByTestId('filter-flow').selectOption('disk-full');
    await page.getByTestId('filter-outcome').selectOption('ignored');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(1);
    expect(page.url()).toMatch(/flow=disk-full/);
    // A reload keeps the filters.
    await page.reload();
    await page.getByTestId(`event-row-${ids.ignored}`).waitFor();
    expect(await page.getByTestId('filter-outcome').inputValue()).toBe('ignored');
    await page.getByTestId('filter-clear').click();

    await page.getByTestId('filter-path').fill('/hooks/nowhere');
    await page.getByTestId('filter-path').press('Enter');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(0);
    await page.getByTestId('filter-path').fill('infra');
    await page.getByTestId('filter-path').press('Enter');
    await expect.poll(() => page.locator('tr[data-testid^="event-row-"]').count()).toBe(6);
    await page.getByTestId('filter-clear').click();
  });

  it('opens a refused delivery: the reason, headers without the token, the first 4 KiB of the body', async () => {
    await page.getByTestId(`event-row-${ids.rejected}`).locator('td').nth(4).click();
    const panel = page.getByTestId('event-panel');
    await panel.getByTestId('event-explanation').waitFor();
    expect(await panel.getByTestId('event-explanation').textContent()).toContain('wrong bearer token');
    await panel.getByTestId('event-body-truncated').waitFor();
    expect(await panel.getByTestId('event-body-truncated').textContent()).toMatch(/First 4 KiB only/);
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('authorization***');
    expect(text).not.toContain('wrong-token');
    await panel.getByTestId('event-route-disk-full').waitFor();
    await screenshot(page, 'events-panel-rejected');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('opens the resolution: the run it marked resolved, and the run says so', async () => {
    await page.getByTestId(`event-row-${ids.ignored}`).locator('td').nth(3).click();
    const panel = page.getByTestId('event-panel');
    await panel.getByText('marked resolved').waitFor();
    // Pretty JSON body and the normalized alert.
    expect(await panel.locator('.event-body').textContent()).toContain('\n  "version": "4"');
    await panel.getByText('Alerts as Salve read them (1)').waitFor();
    await screenshot(page, 'events-panel-resolved');
    await panel.getByRole('link', { name: runId.slice(-8), exact: false }).first().click();
    await page.waitForURL(new RegExp(`#/runs/${runId}$`));
    await page.getByTestId('alert-resolved').waitFor();
    expect(await page.getByTestId('alert-resolved').textContent()).toMatch(/Alert resolved/);
    expect(await page.getByTestId('alert-resolved').getAttribute('title')).toContain('2026-11-24T02:00:00.000Z');
    await screenshot(page, 'run-view-alert-resolved');
  });

  it('is readable in the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/events?event=${ids.invalid}`);
    await page.getByTestId('event-panel').getByText('Error answered').waitFor();
    await screenshot(page, 'events-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
