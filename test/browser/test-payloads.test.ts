import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signedInPage, signOutOf } from '../kit/browser.js';
import { closeEditor } from '../kit/editor-session.js';
import { startServer, type TestServer } from '../kit/server.js';
import { nextMillisecond } from '../kit/wait.js';

const AM_TOKEN = 'test-payloads-token';

/**
 * Real deliveries as test payloads: an operator picks one on the Events page, on a run, or in the
 * Test tab's "Latest deliveries", sees the flow's path for it, and a reload keeps the choice.
 * A refused delivery whose body was cut is not offered. Screenshots at three widths.
 */
describe('real deliveries as test payloads', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const ids = { disk: '', memory: '', refused: '' };
  let runId = '';

  const post = async (body: unknown, token = AM_TOKEN) => {
    // Each delivery in its own millisecond, so the newest-first order is the order they were sent in.
    await nextMillisecond();
    return fetch(`${server.url}/hooks/infra`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  };

  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: AM_TOKEN } });
    // Only conditions: the runs these deliveries start do nothing outside.
    const flow = {
      format: 'salve.flow/v1',
      id: 'disk-full',
      name: 'Disk full: clean up',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }, position: { x: 40, y: 60 } },
        { id: 'critical', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' }, position: { x: 40, y: 260 } },
      ],
      edges: [{ source: 'am', target: 'critical' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);

    const disk = (await (await post(amPayload([amAlert({ fingerprint: 'tp-disk' })]))).json()) as { eventId: string; executions: string[] };
    ids.disk = disk.eventId;
    runId = disk.executions[0]!;
    const memory = amPayload([amAlert({ alertname: 'MemoryHigh', severity: 'warning', fingerprint: 'tp-memory' })]);
    ids.memory = ((await (await post(memory)).json()) as { eventId: string }).eventId;
    // A stranger's delivery over 4 KiB: refused, and only its first 4 KiB stored.
    const big = amPayload([amAlert({ fingerprint: 'tp-big' })]) as ReturnType<typeof amPayload> & { commonAnnotations: Record<string, string> };
    big.commonAnnotations.pad = 'x'.repeat(6000);
    expect((await post(big, 'wrong-token')).status).toBe(401);
    const events = (await server.api('GET', '/api/events?limit=5')).body as { items: { id: string; outcome: string }[] };
    ids.refused = events.items.find((e) => e.outcome === 'rejected')!.id;

    browser = await launchBrowser();
    page = await signedInPage(browser, server);
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const chosenLabel = (p: Page = page) => p.getByTestId('test-sample').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
  const payload = (p: Page = page) => p.getByTestId('test-payload').inputValue();
  const deliveryOption = (id: string, p: Page = page) => p.getByTestId('test-sample').locator(`option[value="delivery:${id}"]`);

  /** Runs the test and reads the condition's port: an earlier result is cleared first, so it is never the one read. */
  async function runTestAndReadPort(p: Page = page): Promise<string | null> {
    const step = p.getByTestId('test-step-critical');
    const clear = p.getByTestId('test-panel').getByRole('button', { name: 'Clear' });
    if ((await clear.count()) > 0) await clear.click();
    await step.waitFor({ state: 'detached' });
    await p.getByTestId('run-test').click();
    await step.waitFor();
    return step.locator('.status').textContent();
  }

  it('Events row → "Use as test payload" opens the editor with that delivery chosen, and the test shows its path', async () => {
    await page.goto(`${server.url}/#/events`);
    const row = page.getByTestId(`event-row-${ids.disk}`);
    await row.waitFor();
    // The refused delivery's body was cut at 4 KiB: not offered.
    await expect(page.getByTestId(`event-row-${ids.refused}`).getByTestId('event-test-payload-disk-full').count()).resolves.toBe(0);
    await screenshot(page, 'test-payload-events-1440');

    await row.getByTestId('event-test-payload-disk-full').click();
    await page.getByTestId('test-panel').waitFor();
    expect(new URL(page.url()).hash).toBe('#/flows/disk-full?tab=test');
    await expect.poll(() => chosenLabel()).toMatch(/^Delivery \d\d:\d\d:\d\d · accepted · DiskFull$/);
    expect(await payload()).toContain('"fingerprint": "tp-disk"');
    expect(await page.getByTestId('test-delivery-link').getAttribute('href')).toBe(`#/events?event=${ids.disk}`);
    expect(await runTestAndReadPort()).toBe('true');
    await screenshot(page, 'test-payload-editor-1440');
  });

  it('keeps the chosen delivery over a reload', async () => {
    await page.reload();
    await page.getByTestId('test-panel').waitFor();
    await expect.poll(() => chosenLabel()).toMatch(/· accepted · DiskFull$/);
    expect(await payload()).toContain('"fingerprint": "tp-disk"');
    expect(await runTestAndReadPort()).toBe('true');
  });

  it("offers the latest deliveries on the source's path; choosing one loads its body, a cut one is disabled", async () => {
    const group = page.getByTestId('test-sample').locator('optgroup[label="Latest deliveries on /hooks/infra"]');
    await expect.poll(() => group.locator('option').count()).toBe(3);
    // Polled: the list's labels fill in as the deliveries' details arrive.
    await expect.poll(() => deliveryOption(ids.refused).isDisabled()).toBe(true);
    await expect.poll(() => deliveryOption(ids.refused).textContent()).toContain('not offered: only the first 4 KiB of its body is stored');
    await expect.poll(() => deliveryOption(ids.memory).textContent()).toMatch(/· accepted · MemoryHigh$/);

    await page.getByTestId('test-sample').selectOption(`delivery:${ids.memory}`);
    await expect.poll(() => payload()).toContain('"fingerprint": "tp-memory"');
    await expect.poll(() => chosenLabel()).toMatch(/· MemoryHigh$/);
    // The result of the DiskFull test is stale now; a new run takes the other branch.
    expect(await runTestAndReadPort()).toBe('false');

    // Editing the body makes it a pasted payload: it is no longer that delivery.
    await page.getByTestId('test-payload').fill((await payload()).replace('"warning"', '"critical"'));
    await expect.poll(() => page.getByTestId('test-sample').inputValue()).toBe('custom');
  });

  it('the open event panel offers it per flow on the path', async () => {
    await page.goto(`${server.url}/#/events?event=${ids.memory}`);
    const button = page.getByTestId(`event-panel-test-payload-disk-full-am`);
    await button.waitFor();
    await screenshot(page, 'test-payload-event-panel-1440');
    await button.click();
    await page.getByTestId('test-panel').waitFor();
    await expect.poll(() => chosenLabel()).toMatch(/· MemoryHigh$/);
    expect(await runTestAndReadPort()).toBe('false');
  });

  it('a run → "Use as test payload" chooses the delivery that started it', async () => {
    await page.goto(`${server.url}/#/runs/${runId}`);
    const button = page.getByTestId('run-test-payload');
    await expect.poll(() => button.isEnabled()).toBe(true);
    await screenshot(page, 'test-payload-run-1440');
    await button.click();
    await page.getByTestId('test-panel').waitFor();
    await expect.poll(() => chosenLabel()).toMatch(/· DiskFull$/);
    expect(await payload()).toContain('"fingerprint": "tp-disk"');
    expect(await runTestAndReadPort()).toBe('true');
  });

  it('a run started by hand offers its payload too', async () => {
    // A flow with a manual source: the run's event body is the payload typed for it.
    const manual = {
      format: 'salve.flow/v1',
      id: 'by-hand',
      name: 'Restart by hand',
      enabled: true,
      nodes: [
        { id: 'hand', type: 'source.manual', config: {}, position: { x: 40, y: 60 } },
        { id: 'critical', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' }, position: { x: 40, y: 260 } },
      ],
      edges: [{ source: 'hand', target: 'critical' }],
    };
    expect((await server.api('POST', '/api/flows', manual)).status).toBe(201);
    const started = await server.api('POST', '/api/flows/by-hand/run', { payload: { name: 'ManualCheck', severity: 'critical' } });
    expect(started.status).toBe(202);
    await page.goto(`${server.url}/#/runs/${(started.body as { executionId: string }).executionId}`);
    const button = page.getByTestId('run-test-payload');
    await expect.poll(() => button.isEnabled()).toBe(true);
    await button.click();
    await page.getByTestId('test-panel').waitFor();
    expect(await payload()).toContain('"name": "ManualCheck"');
    // A manual source has no hook path: no deliveries group.
    expect(await page.getByTestId('test-sample').locator('optgroup').count()).toBe(1);
    expect(await runTestAndReadPort()).toBe('true');
  });

  it('forgets the chosen payloads on sign-out', async () => {
    const stored = () => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('salve.editor.test.')).sort());
    expect(await stored()).toEqual(['salve.editor.test.by-hand', 'salve.editor.test.disk-full']);
    await signOutOf(page);
    expect(await stored()).toEqual([]);
  });

  it('looks right at 1024 and 390 wide', async () => {
    for (const width of [1024, 390]) {
      const narrow = await signedInPage(browser, server, width === 390 ? { phone: true } : { width, height: 768 });
      await narrow.goto(`${server.url}/#/events?event=${ids.disk}`);
      await narrow.getByTestId('event-panel').getByText('Delivery to /hooks/infra').waitFor();
      await screenshot(narrow, `test-payload-events-${width}`);
      // A phone has no Test tab to open (the editor only shows the flow there): not offered.
      expect(await narrow.getByTestId('event-panel-test-payload-disk-full-am').isVisible()).toBe(width !== 390);
      await narrow.goto(`${server.url}/#/runs/${runId}`);
      await narrow.getByTestId('run-status').waitFor();
      await screenshot(narrow, `test-payload-run-${width}`);
      if (width === 390) {
        expect(await narrow.getByTestId('run-test-payload').isVisible()).toBe(false);
      } else {
        await expect.poll(() => narrow.getByTestId('run-test-payload').isEnabled()).toBe(true);
        await narrow.getByTestId('run-test-payload').click();
        await narrow.getByTestId('test-panel').waitFor();
        await expect.poll(() => chosenLabel(narrow)).toMatch(/· DiskFull$/);
        await screenshot(narrow, `test-payload-editor-${width}`);
      }
      await narrow.context().close();
    }
  });
});
