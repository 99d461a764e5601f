import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * Sticky notes on the canvas (added with N, typed into, saved, reloaded, exported, deleted and
 * undone) and connecting two nodes with the keyboard alone, including a refused connection.
 * Screenshots at three widths.
 */
describe('notes and keyboard connect in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  // am → cond → (true) page → (ok) clean; the keyboard adds cond → (false) clean.
  const flow = {
    format: 'salve.flow/v1',
    id: 'notes',
    name: 'Disk full: page or clean up',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'notes', auth: { type: 'none' } }, position: { x: 0, y: 0 } },
      { id: 'cond', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' }, position: { x: 320, y: 0 } },
      { id: 'clean', type: 'action.http', label: 'Clean /var/tmp', config: { url: 'http://agent.example.internal/cleanup' }, position: { x: 640, y: -80 } },
      { id: 'page', type: 'action.http', config: { url: 'http://pager.example.internal/page' }, position: { x: 640, y: 120 } },
    ],
    edges: [
      { source: 'am', target: 'cond' },
      { source: 'cond', sourcePort: 'true', target: 'page' },
      { source: 'page', sourcePort: 'ok', target: 'clean' },
    ],
  };
  const TEXT = 'Ask #infra before enabling.\nPages only for <b>critical</b>.';

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow], acceptDownloads: true }));
    await page.goto(`${server.url}/#/flows/notes`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const stored = async () => (await server.api('GET', '/api/flows/notes')).body as { revision: number; flow: typeof flow & { notes?: { id: string; text: string }[] } };
  const note = page_note('note_1');
  function page_note(id: string) {
    return () => page.getByTestId(`note-${id}`);
  }
  const saved = () => page.getByTestId('saved').isVisible();
  const activeTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

  async function save(revision: number) {
    await page.keyboard.press('Control+s');
    await expect.poll(async () => (await stored()).revision).toBe(revision);
    await expect.poll(saved).toBe(true);
  }

  async function shoot(name: string) {
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  it('adds a note with N, types into it, saves it, and it is there after a reload and in the export', async () => {
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('n');
    const input = page.getByTestId('note-input-note_1');
    await input.waitFor();
    expect(await activeTestId()).toBe('note-input-note_1');
    await page.keyboard.type(TEXT);
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'detached' });
    expect(await activeTestId()).toBe('canvas');
    // Text, never HTML: the tags show as typed.
    expect(await note().locator('.salve-note-text').textContent()).toBe(TEXT);
    expect(await note().locator('b').count()).toBe(0);
    await page.getByTestId('dirty').waitFor();
    // A note is not a node: no problem about it, no port to connect.
    expect(await page.getByTestId('problems').locator('summary').textContent()).toBe('No problems');
    expect(await page.locator('.react-flow__node[data-id="note:note_1"] .react-flow__handle').count()).toBe(0);

    await save(2);
    const notes = (await stored()).flow.notes!;
    expect(notes).toEqual([expect.objectContaining({ id: 'note_1', text: TEXT, size: { width: 220, height: 120 } })]);
    expect((await stored()).flow.nodes.map((n) => n.id)).toEqual(['am', 'cond', 'clean', 'page']);

    await page.reload();
    await page.getByTestId('canvas').waitFor();
    await expect.poll(() => note().locator('.salve-note-text').textContent()).toBe(TEXT);
    expect(await saved()).toBe(true);
    await shoot('note-on-canvas');

    await page.getByRole('link', { name: 'Flows' }).first().click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('flow-export-notes').click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(exported.notes).toEqual(notes);
    await page.goto(`${server.url}/#/flows/notes`);
    await note().waitFor();
  });

  it('colours a selected note from its swatches, and saving keeps the colour', async () => {
    await note().click();
    await page.getByTestId('note-color-blue').click();
    await expect.poll(() => note().getAttribute('class')).toContain('color-blue');
    await shoot('note-selected');
    await save(3);
    expect((await stored()).flow.notes![0]).toMatchObject({ id: 'note_1', text: TEXT, color: 'blue' });
  });

  it('deletes a selected note with Delete, and Ctrl+Z brings it back with its text', async () => {
    await note().click();
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Delete');
    await note().waitFor({ state: 'detached' });
    await page.getByTestId('dirty').waitFor();
    await page.keyboard.press('Control+z');
    await expect.poll(() => note().locator('.salve-note-text').textContent()).toBe(TEXT);
    await expect.poll(saved).toBe(true);
  });

  it('connects two nodes with the keyboard alone, choosing the port, and saving stores the edge', async () => {
    // Tab reaches a node; Enter selects it (React Flow's own keyboard support).
    await selectNodeByKeyboard(page, 'cond');
    expect(await page.getByTestId('connect-open').isEnabled()).toBe(true);
    await page.keyboard.press('c');
    const picker = page.getByTestId('connect-picker');
    await picker.waitFor();
    // The first port is chosen and has focus; the arrow picks the next one.
    expect(await page.getByTestId('connect-port-true').isChecked()).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('connect-port-false').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await activeTestId()).toBe('connect-filter');
    await page.keyboard.type('pa');
    expect(await picker.getByRole('option').allTextContents()).toEqual([expect.stringContaining('page')]);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    // am is a source: listed last, with the reason it cannot be a target.
    expect(await picker.getByRole('option').last().getAttribute('data-testid')).toBe('connect-option-am');
    expect(await page.getByTestId('connect-option-am').textContent()).toContain('sources start a flow and take no incoming edges');
    await shoot('connect-picker');
    await page.keyboard.type('clean');
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    await expect.poll(activeTestId).toBe('canvas');
    await page.getByTestId('dirty').waitFor();

    await save(4);
    expect((await stored()).flow.edges).toEqual([...flow.edges, { source: 'cond', sourcePort: 'false', target: 'clean' }]);
  });

  it('refuses a keyboard connection that would make a cycle, says why, and adds nothing', async () => {
    await selectNodeByKeyboard(page, 'clean');
    await page.keyboard.press('c');
    const picker = page.getByTestId('connect-picker');
    await picker.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('cond');
    await page.keyboard.press('Enter');
    const refusal = page.getByTestId('connect-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      'Can’t connect “clean” to “cond”: cycle: "clean" → "cond" → "clean"; a flow must not loop back to an earlier node',
    );
    await shoot('connect-refused');
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await expect.poll(activeTestId).toBe('canvas');
    expect(await saved()).toBe(true);
    expect(await page.locator('.react-flow__edge').count()).toBe(4);
  });

  it("shows a flow's notes in the diagram of its runs, as text, not editable", async () => {
    const watched = {
      format: 'salve.flow/v1',
      id: 'noted',
      name: 'Noted',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'noted', auth: { type: 'none' } }, position: { x: 0, y: 0 } },
        { id: 'only_warnings', type: 'condition.expr', config: { expression: 'alert.severity == "warning"' }, position: { x: 320, y: 0 } },
      ],
      edges: [{ source: 'am', target: 'only_warnings' }],
      notes: [{ id: 'why', text: 'Critical alerts page a person instead.', position: { x: 0, y: 160 } }],
    };
    expect((await server.api('POST', '/api/flows', watched)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/noted`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    const { executions } = (await res.json()) as { executions: string[] };
    await page.goto(`${server.url}/#/runs/${executions[0]}`);
    const note = page.getByTestId('note-why');
    await note.waitFor();
    expect(await note.textContent()).toBe('Critical alerts page a person instead.');
    // Clicking it neither edits it nor opens it as a step.
    const stepHeading = () => page.getByTestId('step-panel').textContent();
    const before = await stepHeading();
    await note.dblclick();
    expect(await page.locator('textarea').count()).toBe(0);
    expect(await stepHeading()).toBe(before);
    await shoot('run-with-note');
  });
});
