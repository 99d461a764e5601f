import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { screenshot, signInWithPassword } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

const source = (path: string) => ({ id: 'am', type: 'source.alertmanager', config: { path, auth: { type: 'none' } }, position: { x: 80, y: 120 } });

/** Restarts a web server; limits are set in the browser. */
const restartWeb = {
  format: 'salve.flow/v1',
  id: 'restart-web',
  name: 'Web down: restart',
  enabled: true,
  nodes: [source('web'), { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarted', '{{ alert.labels.instance }}'] }, position: { x: 420, y: 120 } }],
  edges: [{ source: 'am', target: 'restart' }],
};

/** Where held runs could escalate to: a flow a person (or a held run) starts. */
const pageOncall = {
  format: 'salve.flow/v1',
  id: 'page-oncall',
  name: 'Page the on-call',
  enabled: true,
  nodes: [{ id: 'start', type: 'source.manual', config: {}, position: { x: 80, y: 120 } }],
  edges: [],
};

/** A job that always fails, imported with a circuit breaker: two failures within 10 min trip it. */
const flakyJob = {
  format: 'salve.flow/v1',
  id: 'flaky-job',
  name: 'Queue stuck: flush',
  enabled: true,
  limits: { breaker: { failures: 2, window: 600 } },
  nodes: [source('queue'), { id: 'flush', type: 'action.shell', config: { command: ['false'] }, position: { x: 420, y: 120 } }],
  edges: [{ source: 'am', target: 'flush' }],
};

const OPERATOR_PASSWORD = 'an operator password of some length';
const VIEWER_PASSWORD = 'a viewer password of some length';

/**
 * Guard rails in the editor, against a real server: limits set in the flow settings panel, a
 * delivery over the cooldown held (in Runs, with its reason and the Held filter), an operator
 * releasing it with a comment (the run then proceeds and says who released it), a viewer who
 * may not, and a tripped circuit breaker's badge, banner and reset. Screenshots at three widths.
 */
describe('guard rails in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let firstRun = '';
  let heldRun = '';

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Signs a person in on a page of their own. */
  const personPage = async (username: string, password: string, width = 1440) => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const p = await context.newPage();
    p.setDefaultTimeout(10_000);
    p.on('pageerror', (error) => {
      throw error;
    });
    await p.goto(server.url);
    await signInWithPassword(p, username, password);
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    return p;
  };

  /** One screenshot per width of what is on screen now, named `<name>-<width>`. */
  const atEveryWidth = async (p: Page, name: string, ready: () => Promise<unknown> = async () => {}) => {
    for (const width of WIDTHS) {
      await p.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await ready();
      await screenshot(p, `${name}-${width}`);
    }
    await p.setViewportSize({ width: 1440, height: 900 });
  };
  const toastsGone = (p: Page) => expect.poll(() => p.locator('.toast').count(), { timeout: 10_000 }).toBe(0);

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [restartWeb, pageOncall, flakyJob] }));
    for (const [username, displayName, password, roles] of [
      ['olivia', 'Olivia Operator', OPERATOR_PASSWORD, ['operator']],
      ['vic', 'Vic Viewer', VIEWER_PASSWORD, ['viewer']],
    ] as const) {
      const created = await server.api('POST', '/api/users', { username, displayName, password, roles: [{ team: 'default', roles }] });
      expect(created.status).toBe(201);
    }
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('sets limits in the flow settings panel: a bad target key is named as typed, the summary says the limits in words', async () => {
    await page.goto(`${server.url}/#/flows/restart-web`);
    const section = page.getByTestId('limits-section');
    await section.waitFor();
    expect(await page.getByTestId('limits-summary').textContent()).toBe('No limits: every matching alert starts a run.');

    await page.getByTestId('limits-target-enabled').check();
    const key = page.getByTestId('limits-target-key');
    expect(await key.inputValue()).toBe('alert.labels.instance');
    await key.fill('alert.labels.');
    await page.getByTestId('limits-target-key-error').waitFor();
    // The problems panel validates a deferred copy of the document (useEditorDocument): it may
    // catch up a frame after the field's own error.
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('limits.target.key');
    await key.fill('alert.labels.instance');
    await expect.poll(() => page.getByTestId('limits-target-key-error').count()).toBe(0);

    await page.getByTestId('limits-cooldown-enabled').check();
    await page.getByTestId('limits-cooldown').fill('30');
    await page.getByTestId('limits-cooldown-unit').selectOption('min');
    await page.getByTestId('limits-blast-enabled').check();
    await page.getByTestId('limits-blast-targets').fill('3');
    await page.getByTestId('limits-blast-window').fill('10');
    await page.getByTestId('limits-blast-window-unit').selectOption('min');
    await page.getByTestId('limits-escalate').selectOption('page-oncall');
    await expect
      .poll(() => page.getByTestId('limits-summary').textContent())
      .toBe('At most 3 instances per 10 min; the same instance not twice within 30 min. A held run starts “Page the on-call”.');

    // The section from its heading: the summary first, as an operator reads it.
    const showSection = () =>
      section.evaluate((el) => {
        el.scrollIntoView({ block: 'start' });
        // The tabs stay at the top of the scrolling panel: scroll back past them.
        el.closest('.side')?.scrollBy(0, -56);
      });
    await atEveryWidth(page, 'guard-rails-limits-form', showSection);

    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    const saved = (await server.api('GET', '/api/flows/restart-web')).body;
    expect(saved.flow.limits).toEqual({
      target: { key: 'alert.labels.instance', cooldown: 1800 },
      blastRadius: { targets: 3, window: 600 },
      onHeld: { flow: 'page-oncall' },
    });
    await toastsGone(page);
  });

  it('holds a second remediation of the same host: Runs shows it held, with the reason and its own filter', async () => {
    const first = (await (await post('web', amPayload([amAlert({ fingerprint: 'g-web1-a', alertname: 'WebDown', instance: 'web-1' })]))).json()) as { executions: string[] };
    firstRun = first.executions[0]!;
    await waitFor(async () => (await server.api('GET', `/api/executions/${firstRun}`)).body.status === 'succeeded');
    const second = (await (await post('web', amPayload([amAlert({ fingerprint: 'g-web1-b', alertname: 'WebDown', instance: 'web-1' })]))).json()) as { executions: string[] };
    heldRun = second.executions[0]!;
    expect((await server.api('GET', `/api/executions/${heldRun}`)).body).toMatchObject({ status: 'held', targetKey: 'web-1', held: { limit: 'cooldown' } });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    const row = page.getByTestId(`run-row-${heldRun}`);
    await row.waitFor();
    expect(await row.locator('.status').first().getAttribute('data-status')).toBe('held');
    expect(await row.getByTestId('run-held-reason').textContent()).toMatch(/^Held by the target cooldown: web-1 was remediated .* before this run \(run .*\); cooldown 30 min$/);
    await expect.poll(async () => (await page.getByTestId('held-filter').textContent())?.trim()).toBe('Held1');

    await page.getByTestId('held-filter').click();
    expect(await page.getByTestId('held-filter').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('status-filter').inputValue()).toBe('held');
    await atEveryWidth(page, 'guard-rails-runs-held', () => row.waitFor());
    await page.getByTestId('held-filter').click();
    await page.getByTestId(`run-row-${firstRun}`).waitFor();
  });

  it('shows a viewer why the run is held, and that releasing needs the operator role', async () => {
    const viewer = await personPage('vic', VIEWER_PASSWORD);
    await viewer.goto(`${server.url}/#/runs/${heldRun}`);
    await viewer.getByTestId('held-banner').waitFor();
    await expect.poll(() => viewer.getByTestId('held-permission').textContent()).toContain('Releasing or cancelling needs the operator role in Default.');
    expect(await viewer.getByTestId('release-run').count()).toBe(0);
    expect(await viewer.getByTestId('cancel-run').count()).toBe(0);
    await viewer.context().close();
  });

  it('lets an operator release the held run with a comment: it runs, and says who released it', async () => {
    const operator = await personPage('olivia', OPERATOR_PASSWORD);
    await operator.goto(`${server.url}/#/runs/${heldRun}`);
    const banner = operator.getByTestId('held-banner');
    await banner.waitFor();
    expect(await operator.getByTestId('held-limit').textContent()).toBe('Held by the target cooldown');
    expect(await operator.getByTestId('held-reason').textContent()).toMatch(/^web-1 was remediated .* before this run/);
    expect(await operator.getByTestId('run-target').textContent()).toBe('web-1');
    expect(await operator.getByTestId('run-status').getAttribute('data-status')).toBe('held');
    await atEveryWidth(operator, 'guard-rails-held-run', () => banner.waitFor());

    await operator.getByTestId('release-run').click();
    const dialog = operator.getByTestId('release-run-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('without checking the limits again');
    await operator.getByTestId('release-comment').fill('checked web-1: the first restart did not hold');
    await screenshot(operator, 'guard-rails-release-dialog-1440');
    await operator.getByTestId('confirm-release-run').click();

    await expect.poll(() => operator.getByTestId('run-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    const released = operator.getByTestId('released-by');
    await released.waitFor();
    expect(await released.textContent()).toMatch(/^Released by you \(Olivia Operator\) (just now|\d+ s ago) — “checked web-1: the first restart did not hold”$/);
    const run = (await server.api('GET', `/api/executions/${heldRun}`)).body;
    expect(run).toMatchObject({ status: 'succeeded', released: { comment: 'checked web-1: the first restart did not hold' } });
    expect(run.released.by).toMatch(/^user:/);
    await toastsGone(operator);
    await screenshot(operator, 'guard-rails-released-run-1440');
    await operator.context().close();
  });

  it('shows the held delivery in Events with its reason and a link to the run', async () => {
    await page.goto(`${server.url}/#/events`);
    const link = page.getByTestId(`event-run-${heldRun}`);
    await link.waitFor();
    const row = page.locator('tr', { has: link });
    expect(await row.textContent()).toContain('1 held');
    expect(await row.textContent()).toContain('Held 1 run: a guard rail stopped it');
  });

  it('shows a tripped circuit breaker on the flows list and in the editor, and resets it', async () => {
    for (const fingerprint of ['g-q-1', 'g-q-2']) {
      const res = (await (await post('queue', amPayload([amAlert({ fingerprint, alertname: 'QueueStuck', instance: 'mq-1' })]))).json()) as { executions: string[] };
      const id = res.executions[0]!;
      await waitFor(async () => (await server.api('GET', `/api/executions/${id}`)).body.status === 'failed');
    }
    await waitFor(async () => (await server.api('GET', '/api/flows/flaky-job/breaker')).body.state === 'tripped');
    const third = (await (await post('queue', amPayload([amAlert({ fingerprint: 'g-q-3', alertname: 'QueueStuck', instance: 'mq-1' })]))).json()) as { executions: string[] };
    expect((await server.api('GET', `/api/executions/${third.executions[0]}`)).body).toMatchObject({ status: 'held', held: { limit: 'breaker' } });

    await page.goto(`${server.url}/#/flows`);
    const badge = page.getByTestId('breaker-badge-flaky-job');
    await badge.waitFor();
    expect((await badge.textContent())?.trim()).toBe('Breaker tripped');
    expect(await page.getByTestId('breaker-badge-restart-web').count()).toBe(0);
    await atEveryWidth(page, 'guard-rails-flows-breaker', () => badge.waitFor());

    await page.goto(`${server.url}/#/flows/flaky-job`);
    const banner = page.getByTestId('breaker-banner');
    await banner.waitFor();
    const text = await banner.textContent();
    expect(text).toMatch(/Circuit breaker tripped (just now|\d+ s ago): 2 failed runs within 10 min\./);
    expect(text).toContain('This flow starts no runs until someone resets it');
    expect(await page.getByTestId('breaker-failures').locator('li').count()).toBe(2);
    await atEveryWidth(page, 'guard-rails-breaker-banner', () => banner.waitFor());

    await page.getByTestId('breaker-reset').click();
    await page.getByTestId('breaker-reset-dialog').waitFor();
    await page.getByTestId('breaker-reset-comment').fill('queue consumer restarted');
    await page.getByTestId('confirm-breaker-reset').click();
    await expect.poll(() => banner.count()).toBe(0);
    expect((await server.api('GET', '/api/flows/flaky-job/breaker')).body).toMatchObject({ state: 'closed', resetBy: 'admin' });
    const audit = (await server.api('GET', '/api/audit?action=flow.*')).body;
    expect(JSON.stringify(audit)).toContain('queue consumer restarted');
  });
});
