import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * Saving agrees with the problems list even when the last edit and Ctrl+S come in the same frame,
 * and the editor checks a condition's expression where it sits: it must give true/false, and read
 * only steps that run before its node. Screenshots at three widths.
 */
describe('save and expression checks in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  // am → cond → (true) clean → (ok) notify
  const flow = {
    format: 'salve.flow/v1',
    id: 'checks',
    name: 'Clean up when the disk is full',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'checks', auth: { type: 'none' } }, position: { x: 40, y: 60 } },
      { id: 'cond', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' }, position: { x: 40, y: 260 } },
      { id: 'clean', type: 'action.http', config: { url: 'http://agent.example.internal/cleanup' }, position: { x: 380, y: 60 } },
      { id: 'notify', type: 'action.http', config: { url: 'http://agent.example.internal/done' }, position: { x: 380, y: 260 } },
    ],
    edges: [
      { source: 'am', target: 'cond' },
      { source: 'cond', sourcePort: 'true', target: 'clean' },
      { source: 'clean', sourcePort: 'ok', target: 'notify' },
    ],
  };

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor({ flows: [flow] }));
    await page.goto(`${server.url}/#/flows/checks`);
    await page.getByTestId('canvas').waitFor();
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const problems = () => page.getByTestId('problems').locator('summary').textContent();
  const toasts = () => page.getByTestId('toast').allTextContents();
  const refusals = () => page.getByTestId('toast').filter({ hasText: 'Fix 1 problem before saving' }).count();
  const stored = async () => (await server.api('GET', '/api/flows/checks')).body as { revision: number; flow: typeof flow };

  async function select(id: string) {
    await node(id).locator('.salve-node-title').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe(id);
  }

  /**
   * Types `value` into a field and presses Ctrl+S in one task of the page, as a fast typist's
   * last key and the shortcut can land in the same frame: nothing renders in between.
   */
  async function editAndSaveInOneFrame(testId: string, value: string) {
    await page.evaluate(
      ([testId, value]) => {
        const el = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid="${testId}"]`)!;
        el.focus();
        const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new KeyboardEvent('keydown', { key: 's', code: 'KeyS', ctrlKey: true, bubbles: true, cancelable: true }));
      },
      [testId, value] as const,
    );
  }

  it('saves a field fixed in the same frame as Ctrl+S, without a "Fix 1 problem" refusal', async () => {
    await select('clean');
    await page.getByTestId('field-url').fill('ftp://agent.example.internal/cleanup');
    await expect.poll(problems).toContain('1 problem');

    await editAndSaveInOneFrame('field-url', 'http://agent.example.internal/cleanup-now');
    await page.getByTestId('toast').filter({ hasText: 'Saved' }).waitFor();
    expect((await toasts()).filter((t) => t.includes('Fix'))).toEqual([]);
    expect(await problems()).toBe('No problems');
    const saved = await stored();
    expect(saved.revision).toBe(2);
    expect(saved.flow.nodes.find((n) => n.id === 'clean')!.config.url).toBe('http://agent.example.internal/cleanup-now');
  });

  it('refuses a field broken in the same frame as Ctrl+S, and the problems list says so at once', async () => {
    await editAndSaveInOneFrame('field-url', 'ftp://agent.example.internal/cleanup-now');
    await page.getByTestId('toast').filter({ hasText: 'Fix 1 problem before saving' }).waitFor();
    expect(await problems()).toContain('1 problem');
    expect(await page.getByTestId('problem').allTextContents()).toEqual([expect.stringContaining('must start with http:// or https://')]);
    expect((await stored()).revision).toBe(2);

    await page.getByTestId('field-url').fill('http://agent.example.internal/cleanup-now');
    await expect.poll(problems).toBe('No problems');
  });

  it('refuses a condition that gives a string, in the field, the problems list and on save', async () => {
    await select('cond');
    const field = page.getByTestId('field-expression');
    await field.fill('alert.severity');
    const message = 'this condition gives a string, not true/false: compare it, e.g. alert.severity == "critical"';
    await page.getByTestId('node-panel').getByText(message).waitFor();
    await expect.poll(() => page.getByTestId('problem').allTextContents()).toEqual([expect.stringContaining(message)]);
    const before = await refusals();
    await page.keyboard.press('Control+s');
    await expect.poll(refusals).toBe(before + 1);
    expect((await stored()).revision).toBe(2);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      // Below 760 px the editor shows the canvas alone (editing needs a wider screen): nothing to scroll to.
      if (width >= 760) await field.scrollIntoViewIfNeeded();
      await screenshot(page, `condition-type-error-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('names a step that does not exist, and one that runs after the node', async () => {
    const field = page.getByTestId('field-expression');
    await field.fill('steps.nosuch.status == 200');
    await page.getByTestId('node-panel').getByText('no step named "nosuch" in this flow (it can read steps.am)').waitFor();
    await field.fill('steps.clean.status == 200');
    await page.getByTestId('node-panel').getByText('step "clean" does not run before this node, so its output cannot be read here (it can read steps.am)').waitFor();
    await expect.poll(() => page.getByTestId('problem').allTextContents()).toEqual([expect.stringContaining('step "clean" does not run before this node')]);
    // A problem is a button: from the keyboard, Space selects its node like a click does.
    await node('clean').locator('.salve-node-title').click();
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('clean');
    await page.getByTestId('problem').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('node-id').inputValue()).toBe('cond');

    // The source's step holds the alert: the preview reads it from the sample.
    await field.fill('steps.am.name == alert.name && alert.status == "firing"');
    await expect.poll(problems).toBe('No problems');
    await expect.poll(() => page.getByTestId('preview-expression').textContent(), { timeout: 10_000 }).toContain('true');
  });

  it('lists under Available variables only the steps that run before the node, and previews a step not run yet', async () => {
    await select('cond');
    const variables = () => page.getByTestId('node-panel').locator('.cf-vars li code').allTextContents();
    await page.getByTestId('node-panel').getByText('Available variables').click();
    await expect.poll(variables).toContain('steps.am');
    expect((await variables()).filter((v) => v.startsWith('steps'))).toEqual(['steps.am']);

    await select('notify');
    await page.getByTestId('node-panel').getByText('Available variables').click();
    await expect.poll(async () => (await variables()).filter((v) => v.startsWith('steps'))).toEqual(['steps.am', 'steps.cond', 'steps.clean']);
    await page.getByTestId('field-url').fill('http://agent.example.internal/done?status={{ steps.clean.status }}');
    // No test has run: the preview has the sample alert, but no output of the HTTP step.
    await expect.poll(() => page.getByTestId('preview-url').textContent(), { timeout: 10_000 }).toContain(
      'step "clean" not run yet, so its output is unknown here (a test runs only steps without side effects)',
    );
    // Earlier saves' toasts would cover the list in the screenshots.
    await expect.poll(() => page.getByTestId('toast').count(), { timeout: 10_000 }).toBe(0);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await page.getByTestId('node-panel').locator('.cf-vars li').last().scrollIntoViewIfNeeded();
      await screenshot(page, `available-variables-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.keyboard.press('Control+s');
    await page.getByTestId('toast').filter({ hasText: 'Saved' }).waitFor();
    const saved = await waitFor(async () => {
      const s = await stored();
      return s.revision === 3 ? s : undefined;
    }, 5_000, 'revision 3');
    expect(saved.flow.nodes.find((n) => n.id === 'cond')!.config.expression).toBe('steps.am.name == alert.name && alert.status == "firing"');
  });
});
