import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { amAlert, amPayload, diskFullFlow } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signInWithToken } from '../kit/browser.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

/**
 * The editor's room for the canvas and the pages an on-call engineer opens on a phone: panels
 * that fold and stay folded, the minimap toggle, fit at a readable zoom, a one-row toolbar at
 * 1024 px, list fields typed one item per line, and the Runs list, a run and the Approvals
 * inbox at 390 px with nothing scrolling sideways — down to approving with a tap. Screenshots of
 * each page at 1440, 1024 and 390 px go to test/artifacts/layout-*.png.
 */
describe('layout: editor panels, list fields, and phones', () => {
  let server: TestServer;
  let target: Target;
  let browser: Browser;
  let desk: BrowserContext;
  let page: Page;
  let executionId: string;

  /** Signs a new page of `context` in. */
  async function signIn(context: BrowserContext): Promise<Page> {
    const p = await context.newPage();
    p.setDefaultTimeout(10_000);
    p.on('pageerror', (error) => {
      throw error;
    });
    await p.goto(server.url);
    await signInWithToken(p, server.token);
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    return p;
  }

  beforeAll(async () => {
    target = await startTarget();
    server = await startServer({ env: { SALVE_SECRET_AM_TOKEN: 'change-me', SALVE_ALLOWED_TARGETS: '127.0.0.1' } });
    // Five nodes in a row (laid out by the editor, as Tidy up does), the README's example.
    expect((await server.api('POST', '/api/flows', diskFullFlow(target.url))).status).toBe(201);
    // A flow with every toolbar button: Runs, and Run now for its "Run by hand" source.
    const byHand = {
      format: 'salve.flow/v1',
      id: 'restart-by-hand',
      name: 'Restart the database service by hand after a failed disk clean-up',
      nodes: [
        { id: 'by_hand', type: 'source.manual', config: {}, position: { x: 0, y: 0 } },
        { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarting'] }, position: { x: 320, y: 0 } },
      ],
      edges: [{ source: 'by_hand', target: 'restart' }],
    };
    expect((await server.api('POST', '/api/flows', byHand)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/infra`, {
      method: 'POST',
      headers: { authorization: 'Bearer change-me', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ instance: new URL(target.url).host, fingerprint: 'layout-1' })])),
    });
    expect(res.status).toBe(202);
    executionId = ((await res.json()) as { executions: string[] }).executions[0]!;
    await waitFor(async () => (await server.api('GET', '/api/approvals?status=pending')).body.items.length === 1, 15_000, 'the run to wait for approval');
    browser = await launchBrowser();
    desk = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await signIn(desk);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await target?.close();
    if (server) removeDir(server.dataDir);
  });

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  /** The canvas zoom, read from React Flow's viewport transform. */
  const zoom = () => page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
  const openEditor = async () => {
    await page.goto(`${server.url}/#/flows/disk-full`);
    await node('restart').waitFor();
    await page.getByTestId('saved').waitFor();
  };
  const inside = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
    a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.width <= b.x + b.width + 1 && a.y + a.height <= b.y + b.height + 1;
  const overlap = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  it('opens a five-node flow at a readable zoom, from its source, with the minimap clear of the nodes', async () => {
    await openEditor();
    // Fitting all five beside both panels would mean about 45 %; the text stays readable instead.
    await expect.poll(zoom).toBeGreaterThanOrEqual(0.75);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    expect(inside((await node('am').boundingBox())!, canvas)).toBe(true);
    const minimap = (await page.locator('.react-flow__minimap').boundingBox())!;
    expect(minimap.width).toBeLessThanOrEqual(160);
    for (const id of ['am', 'disk', 'clean', 'ask', 'restart']) {
      const box = await node(id).boundingBox();
      if (box) expect(overlap(box, minimap), `${id} under the minimap`).toBe(false);
    }
    // Tidy up and Fit view keep that zoom.
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(zoom).toBeLessThan(0.75);
    await page.getByRole('button', { name: 'Fit view' }).click();
    await expect.poll(zoom).toBeGreaterThanOrEqual(0.75);
    await page.getByTestId('auto-layout').click();
    await expect.poll(zoom).toBeGreaterThanOrEqual(0.75);
    // Tidy up may have moved nodes by a few pixels (measured sizes); that is not worth saving.
    if ((await page.getByTestId('dirty').count()) > 0) await page.getByTestId('undo').click();
    await page.getByTestId('saved').waitFor();
  });

  it('folds the palette and the details panel, and keeps them folded after a reload', async () => {
    const canvasWidth = async () => (await page.getByTestId('canvas').boundingBox())!.width;
    const before = await canvasWidth();
    await page.getByTestId('palette-hide').click();
    await page.getByTestId('side-hide').click();
    await page.getByTestId('side-show').waitFor();
    expect(await page.getByTestId('palette-search').count()).toBe(0);
    await expect.poll(canvasWidth).toBeGreaterThan(before + 450);
    // With the room, the whole flow fits, still readable.
    await page.getByRole('button', { name: 'Fit view' }).click();
    await expect.poll(async () => inside((await node('restart').boundingBox())!, (await page.getByTestId('canvas').boundingBox())!)).toBe(true);
    expect(await zoom()).toBeGreaterThanOrEqual(0.75);
    await screenshot(page, 'layout-editor-folded-1440');

    await page.reload();
    await node('restart').waitFor();
    await page.getByTestId('side-show').waitFor();
    await page.getByTestId('palette-show').waitFor();
    expect(await page.getByTestId('palette-search').count()).toBe(0);
    expect(await page.getByTestId('tab-node').count()).toBe(0);

    await page.getByTestId('palette-show').click();
    await page.getByTestId('side-show').click();
    await page.getByTestId('palette-search').waitFor();
    await page.getByTestId('tab-node').waitFor();
  });

  it('has a compact palette (names only), remembered, and ignores garbage in storage', async () => {
    const descriptions = () => page.getByTestId('palette').locator('.palette-item small').count();
    expect(await descriptions()).toBeGreaterThan(0);
    await page.getByTestId('palette-compact').click();
    await expect.poll(descriptions).toBe(0);
    // The description is still there on hover.
    expect(await page.getByTestId('palette-action.http').getAttribute('title')).toContain('HTTP');
    await page.reload();
    await page.getByTestId('palette').waitFor();
    expect(await descriptions()).toBe(0);
    await page.getByTestId('palette-compact').click();
    await expect.poll(descriptions).toBeGreaterThan(0);

    await page.evaluate(() => {
      localStorage.setItem('salve.editor.side', '{"open":false}');
      localStorage.setItem('salve.editor.palette', 'nonsense');
      localStorage.setItem('salve.editor.minimap', '');
    });
    await page.reload();
    await page.getByTestId('tab-node').waitFor();
    await page.getByTestId('palette-search').waitFor();
    await page.locator('.react-flow__minimap').waitFor();
  });

  it('hides and shows the minimap with its toggle, remembered', async () => {
    const minimaps = () => page.locator('.react-flow__minimap').count();
    expect(await minimaps()).toBe(1);
    await page.getByTestId('minimap-toggle').click();
    await expect.poll(minimaps).toBe(0);
    expect(await page.getByTestId('minimap-toggle').getAttribute('aria-label')).toBe('Show the minimap');
    await page.reload();
    await node('restart').waitFor();
    expect(await minimaps()).toBe(0);
    await page.getByTestId('minimap-toggle').click();
    await expect.poll(minimaps).toBe(1);
  });

  it('keeps the toolbar on one row at 1024 px, nothing cut off', async () => {
    const toolbar = page.getByRole('toolbar', { name: 'Flow editor' });
    const oneRow = async (what: string) => {
      const back = (await toolbar.getByRole('button', { name: 'Back to flows' }).boundingBox())!;
      const save = (await page.getByTestId('save').boundingBox())!;
      expect(Math.abs(save.y + save.height / 2 - (back.y + back.height / 2)), what).toBeLessThan(2);
      expect(await toolbar.evaluate((el) => el.scrollWidth <= el.clientWidth), what).toBe(true);
      expect(save.x + save.width, what).toBeLessThanOrEqual(page.viewportSize()!.width);
    };
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      await oneRow(`${width} px`);
    }
    // The most crowded toolbar: a long name, unsaved changes, Runs and Run now.
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`${server.url}/#/flows/restart-by-hand`);
    await page.getByTestId('run-now').waitFor();
    await page.getByTestId('toolbar-flow-name').fill('Restart the database service by hand after a failed disk clean-up, then check');
    await page.getByTestId('dirty').waitFor();
    await oneRow('1024 px, everything shown');
    await screenshot(page, 'layout-toolbar-1024');
    await page.getByTestId('undo').click();
    await page.getByTestId('saved').waitFor();
    await openEditor();
  });

  it('takes list fields one item per line, names a bad line in plain words, and saves an array', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await node('am').locator('.salve-node-title').click();
    const allowFrom = page.getByTestId('field-allowFrom');
    expect(await allowFrom.evaluate((el) => el.tagName)).toBe('TEXTAREA');
    await allowFrom.fill('10.0.0.0/8\n\nnot-an-address');
    const errors = page.locator('.cf-field', { has: allowFrom }).locator('.field-error');
    await expect.poll(() => errors.textContent()).toContain('line 3: must be an IP address or CIDR block');
    const text = (await errors.textContent())!;
    for (const leak of ['[', ']', '{', '/^', 'pattern', 'Invalid']) expect(text).not.toContain(leak);
    await errors.scrollIntoViewIfNeeded();
    await screenshot(page, 'layout-list-field-error');
    await allowFrom.fill('');

    await node('clean').locator('.salve-node-title').click();
    const statuses = page.getByTestId('field-expectStatus');
    await statuses.fill('200\nok');
    await expect.poll(() => page.locator('.cf-field', { has: statuses }).locator('.field-error').textContent()).toBe('line 2: "ok" is not a number');
    await statuses.fill('200\n204\n');
    expect(await statuses.inputValue()).toBe('200\n204\n'); // the new line being started is kept
    await statuses.fill('200\n204\n700');
    await expect.poll(() => page.locator('.cf-field', { has: statuses }).locator('.field-error').textContent()).toContain('line 3: must be an HTTP status (100-599)');
    await statuses.fill('200\n204');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('No problems');
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    const saved = (await server.api('GET', '/api/flows/disk-full')).body.flow;
    expect(saved.nodes.find((n: { id: string }) => n.id === 'clean').config.expectStatus).toEqual([200, 204]);
    expect(saved.nodes.find((n: { id: string }) => n.id === 'am').config).not.toHaveProperty('allowFrom');
    await page.reload();
    await node('clean').locator('.salve-node-title').click();
    expect(await page.getByTestId('field-expectStatus').inputValue()).toBe('200\n204');
  });

  it('takes screenshots of the editor, the runs, a run and the approvals at 1440, 1024 and 390 px', async () => {
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await openEditor();
      await expect.poll(zoom).toBeGreaterThanOrEqual(0.75);
      await screenshot(page, `layout-editor-${width}`);
      await page.goto(`${server.url}/#/runs`);
      await page.getByTestId(`run-row-${executionId}`).waitFor();
      await screenshot(page, `layout-runs-${width}`);
      await page.goto(`${server.url}/#/runs/${executionId}`);
      await node('ask').waitFor();
      await screenshot(page, `layout-run-${width}`);
      await page.goto(`${server.url}/#/approvals`);
      await page.locator('.approval-card').waitFor();
      await screenshot(page, `layout-approvals-${width}`);
      await page.goto(`${server.url}/#/flows`);
      await page.getByTestId('flow-row-restart-by-hand').waitFor();
      await screenshot(page, `layout-flows-${width}`);
      await page.goto(`${server.url}/#/events`);
      await page.locator('tr[data-testid^="event-row-"]').first().waitFor();
      await screenshot(page, `layout-events-${width}`);
    }
  });

  describe('on a phone (390 px, touch)', () => {
    let phone: Page;

    beforeAll(async () => {
      phone = await signIn(await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true }));
    });

    /** Nothing wider than the screen: neither the document nor the page area scrolls sideways. */
    const noSidewaysScroll = () =>
      phone.evaluate(() => {
        const main = document.querySelector('main')!;
        return { page: document.documentElement.scrollWidth, main: main.scrollWidth - main.clientWidth };
      });

    /** Every section of the top bar is on screen and big enough to tap. */
    async function navigationReachable() {
      for (const name of ['Flows', 'Runs', 'Approvals', 'Events']) {
        const box = (await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${name}`) }).boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, name).toBeLessThanOrEqual(390);
        expect(box.height, name).toBeGreaterThanOrEqual(40);
      }
      const account = (await phone.getByTestId('account-menu').boundingBox())!;
      expect(account.x + account.width).toBeLessThanOrEqual(390);
    }

    it('shows the runs as cards, with the navigation on screen', async () => {
      await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).tap();
      await phone.getByTestId(`run-row-${executionId}`).waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await navigationReachable();
      // Each card still says when: the column names travel with the values (drawn before them).
      const labels = await phone
        .getByTestId(`run-row-${executionId}`)
        .locator('td')
        .evaluateAll((cells) => cells.map((c) => getComputedStyle(c, '::before').content).filter((c) => c !== 'none'));
      expect(labels).toEqual(['"Created"', '"Started"', '"Finished"', '"Duration"']);
      await screenshot(phone, 'layout-phone-runs');
    });

    it('shows a run stacked: header, steps, the waiting approval, then the diagram', async () => {
      await phone.getByTestId(`run-row-${executionId}`).getByRole('link').first().tap();
      await phone.getByTestId('run-status').waitFor();
      await phone.getByRole('button', { name: 'Review and decide' }).waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await navigationReachable();
      await screenshot(phone, 'layout-phone-run');
      // The decision is below the header; the banner's button brings it on screen.
      const approve = phone.locator('.step-approval').getByRole('button', { name: 'Approve' });
      const onScreen = async () => {
        const box = await approve.boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= 844;
      };
      expect(await onScreen()).toBe(false);
      await phone.getByRole('button', { name: 'Review and decide' }).tap();
      await expect.poll(onScreen).toBe(true);
      await screenshot(phone, 'layout-phone-run-decide');
    });

    it('lists the flows as cards: name, state and the switch on screen', async () => {
      await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flows' }).tap();
      const row = phone.getByTestId('flow-row-restart-by-hand');
      await row.waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await navigationReachable();
      for (const part of [row.locator('.flow-name a'), row.getByRole('switch')]) {
        const box = (await part.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(390);
      }
      await screenshot(phone, 'layout-phone-flows');
    });

    it('lists the events as cards and opens one', async () => {
      await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).tap();
      const row = phone.locator('tr[data-testid^="event-row-"]').first();
      await row.waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await navigationReachable();
      await screenshot(phone, 'layout-phone-events');
      await row.tap();
      await phone.getByTestId('event-panel').waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await screenshot(phone, 'layout-phone-event');
    });

    it('approves from the inbox with a tap', async () => {
      await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ }).tap();
      const card = phone.locator('.approval-card');
      await card.waitFor();
      expect(await noSidewaysScroll()).toEqual({ page: 390, main: 0 });
      await navigationReachable();
      const approve = card.getByRole('button', { name: 'Approve' });
      const box = (await approve.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.width).toBeGreaterThanOrEqual(120);
      await screenshot(phone, 'layout-phone-approvals');
      await approve.scrollIntoViewIfNeeded();
      await screenshot(phone, 'layout-phone-approve-buttons');
      await approve.tap();
      await phone.getByTestId('approvals-empty').waitFor();
      const finished = await waitFor(async () => {
        const exec = (await server.api('GET', `/api/executions/${executionId}`)).body;
        return exec.status === 'succeeded' ? exec : undefined;
      }, 15_000, 'the approved run to finish');
      expect(finished.approvals[0]).toMatchObject({ status: 'approved' });
    });
  });
});
