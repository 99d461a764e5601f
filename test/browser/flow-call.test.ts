import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signedInPage } from '../kit/browser.js';
import { closeEditor } from '../kit/editor-session.js';
import { startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

/** A procedure other flows call: run by hand, it reads the host it was given as `input`. */
const procedure = {
  format: 'salve.flow/v1',
  id: 'restart-service',
  name: 'Procedure: restart a service',
  enabled: false,
  nodes: [
    { id: 'start', type: 'source.manual', config: {} },
    { id: 'restart', type: 'action.shell', label: 'Restart', config: { command: ['echo', 'restarted', '{{ input.host }}'] } },
  ],
  edges: [{ source: 'start', target: 'restart' }],
};

const caller = {
  format: 'salve.flow/v1',
  id: 'disk-full',
  name: 'Disk full: call the restart procedure',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
    { id: 'call_restart', type: 'flow.call', label: 'Restart the service', config: { flow: 'restart-service', input: { host: '{{ alert.labels.instance }}' } } },
  ],
  edges: [{ source: 'am', target: 'call_restart' }],
};

/** A run that called another flow links to the called run from its step, and the called run links back. */
describe('flow calls in the run view', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let parentId = '';
  let childId = '';

  beforeAll(async () => {
    server = await startServer();
    for (const flow of [procedure, caller]) expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert({ fingerprint: 'c-1' })])) });
    parentId = ((await res.json()) as { executions: string[] }).executions[0]!;
    childId = await waitFor(async () => {
      const detail = (await server.api('GET', `/api/executions/${parentId}`)).body as { status: string; children: { id: string; status: string }[] };
      return detail.status === 'succeeded' && detail.children[0]?.status === 'succeeded' && detail.children[0].id;
    });
    browser = await launchBrowser();
    page = await signedInPage(browser, server);
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const atEveryWidth = async (name: string, ready: () => Promise<unknown>) => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await ready();
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  it('shows the called run under the calling step, and the calling run above the called one', async () => {
    await page.goto(`${server.url}/#/runs/${parentId}`);
    await page.getByTestId('step-chip-2').click();
    const called = page.getByTestId('step-called-runs');
    await called.waitFor();
    expect(await called.textContent()).toBe(`Called flow restart-service: run ${childId}succeeded`);
    await atEveryWidth('run-flow-call', () => called.waitFor());

    await called.getByRole('link', { name: `run ${childId}` }).click();
    const back = page.getByTestId('run-called-by');
    await back.waitFor();
    expect(await back.textContent()).toBe(`Called by run ${parentId}: its calling step continues on this run's outcome, with its outputs.`);
    expect(await page.locator('.run-title').textContent()).toBe('Procedure: restart a service');
    await atEveryWidth('run-called', () => back.waitFor());

    await back.getByRole('link', { name: parentId }).click();
    await page.getByTestId('step-chip-2').waitFor();
    expect(page.url()).toContain(`#/runs/${parentId}`);
  });

  it('offers the saved flows while the flow to call is typed', async () => {
    await page.goto(`${server.url}/#/flows/disk-full`);
    await page.getByTestId('canvas').waitFor();
    // Selected from the keyboard, again until it takes: on a busy machine the first Enter can come before the canvas listens.
    const selected = async () => {
      await page.locator('.react-flow__node[data-id="call_restart"]').focus();
      await page.keyboard.press('Enter');
      return (await page.getByTestId('node-id').count()) > 0 ? page.getByTestId('node-id').inputValue() : '';
    };
    await expect.poll(selected, { timeout: 15_000 }).toBe('call_restart');
    const choices = page.getByTestId('choices-flow').locator('option');
    await expect.poll(() => choices.evaluateAll((options) => options.map((o) => `${(o as HTMLOptionElement).value} ${(o as HTMLOptionElement).label}`))).toEqual([
      'disk-full Disk full: call the restart procedure',
      'restart-service Procedure: restart a service',
    ]);
    expect(await page.getByTestId('field-flow').getAttribute('list')).toBe(await page.getByTestId('choices-flow').getAttribute('id'));
  });
});
