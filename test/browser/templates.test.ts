import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { flowTemplates, type FlowTemplate } from '../../shared/templates/index.js';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';

/**
 * "New from template", as an operator uses it: the gallery opens from the Flows page (its empty
 * state first), and every template opens as a new flow whose canvas shows its nodes and whose
 * Test tab, already chosen, holds the template's sample; running the test takes the template's
 * path to its intended action. One template is saved (twice: the second copy gets `<id>-2`).
 * One page serves every template. Screenshots of the gallery at three widths.
 */
describe('New flow from a template', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor());
    // Leaving an unsaved flow for the next template asks first; the answer here is always yes.
    page.on('dialog', (d) => void d.accept());
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  /** From the Flows page, through whichever "New from template" button it shows, to the gallery. */
  async function openGallery() {
    await page.getByRole('link', { name: 'Flows' }).first().click();
    await page.locator('[data-testid="flows-new-from-template"], [data-testid="empty-new-from-template"]').first().click();
    await page.getByTestId('template-gallery').waitFor();
  }

  async function openFromTemplate(template: FlowTemplate) {
    await openGallery();
    await page.getByTestId(`template-use-${template.id}`).click();
    await page.getByTestId('canvas').waitFor();
  }

  it('opens the gallery from the empty Flows page, with every template readable at 1440, 1024 and 390 px', async () => {
    await page.getByTestId('flows-empty').waitFor();
    await page.getByTestId('empty-new-from-template').waitFor();
    await screenshot(page, 'templates-empty-state');
    await openGallery();
    const cards = page.getByTestId('template-gallery').locator('.template-card');
    expect(await cards.count()).toBe(flowTemplates.length);
    expect(await page.getByTestId('template-disk-full-cleanup').textContent()).toContain('Alertmanager');
    await screenshot(page, 'templates-gallery-1440');
    await page.setViewportSize({ width: 1024, height: 768 });
    await screenshot(page, 'templates-gallery-1024');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'templates-gallery-390');
    // On a phone each card fits the screen: nothing to scroll sideways.
    for (const box of await cards.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // The search narrows the cards.
    await page.getByTestId('template-search').fill('kubernetes');
    expect(await cards.count()).toBe(flowTemplates.filter((t) => t.tags.includes('kubernetes')).length);
    await page.getByTestId('template-search').fill('cordon');
    expect(await cards.count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.getByTestId('template-gallery').waitFor({ state: 'detached' });
  });

  for (const template of flowTemplates) {
    it(`${template.id}: opens with its nodes, and its Test tab runs its sample to "${template.expectedPath.at(-1)}"`, async () => {
      await openFromTemplate(template);
      expect(page.url()).toContain(`#/new?template=${template.id}`);
      for (const n of template.flow.nodes) await node(n.id).waitFor();
      expect(await page.getByTestId('toolbar-flow-name').inputValue()).toBe(template.flow.name);

      // The Test tab is already open, with the template's own sample.
      expect(await page.getByTestId('tab-test').getAttribute('aria-selected')).toBe('true');
      expect(JSON.parse(await page.getByTestId('test-payload').inputValue())).toEqual(template.sample.payload);
      expect(await page.getByTestId('test-sample').locator('option:checked').textContent()).toBe(`Template sample: ${template.sample.name}`);
      await page.getByTestId('run-test').click();
      await page.getByTestId('test-result').waitFor();
      expect(await page.getByTestId('test-starts').textContent()).toBe('yes');
      for (const id of template.expectedPath) {
        await expect.poll(() => node(id).locator('.salve-node').getAttribute('data-mark'), { message: id }).toBe('taken');
      }
      const action = page.getByTestId(`test-step-${template.expectedPath.at(-1)}`);
      expect(await action.locator('.status').textContent()).not.toBe('error');
      expect(await page.locator('.test-step .status.error').count()).toBe(0);
      if (template.id === 'k8s-crashloop-restart') await screenshot(page, 'templates-editor-test-tab');
    });
  }

  it('saves a flow made from a template, disabled; the same template again gets the id <id>-2', async () => {
    const template = flowTemplates[0]!;
    await openFromTemplate(template);
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    const saved = await server.api('GET', `/api/flows/${template.id}`);
    expect(saved.status).toBe(200);
    expect(saved.body.flow.enabled).toBe(false);
    expect(saved.body.flow.nodes.map((n: { id: string }) => n.id)).toEqual(template.flow.nodes.map((n) => n.id));
    await screenshot(page, 'templates-saved-flow');

    await openFromTemplate(template);
    await page.getByTestId('save').click();
    await page.getByTestId('saved').waitFor();
    expect((await server.api('GET', `/api/flows/${template.id}-2`)).status).toBe(200);
    await page.getByRole('link', { name: 'Flows' }).first().click();
    await page.getByTestId(`flow-row-${template.id}-2`).waitFor();
    // The Flows page's toolbar, with its new button, at the three widths: nothing scrolls sideways.
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.getByTestId('flows-new-from-template').waitFor();
      await screenshot(page, `templates-flows-header-${width}`);
      const header = (await page.locator('.page-header').boundingBox())!;
      expect(header.x + header.width).toBeLessThanOrEqual(width);
    }
  });
});
