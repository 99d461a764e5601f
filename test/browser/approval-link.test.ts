import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor } from '../kit/editor-session.js';
import type { TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * An approval link opened in the editor (after sign-in): the page shows the approval the link
 * names above the inbox, decides nothing by being opened, and once the decision used the link
 * says so. Screenshots at three widths.
 */
describe('approval link page', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let link: string;
  let executionId: string;

  beforeAll(async () => {
    ({ server, browser, page } = await openEditor());
    const flow = {
      format: 'salve.flow/v1',
      id: 'restart-db',
      name: 'Restart db',
      enabled: true,
      nodes: [
        { id: 'run', type: 'source.manual', config: {} },
        { id: 'ask', type: 'approval.request', config: { message: 'Restart postgresql on db1?', timeoutSeconds: 900 } },
        { id: 'note', type: 'transform.set', config: { vars: { link: 'approval.link' } } },
      ],
      edges: [
        { source: 'run', target: 'ask' },
        { source: 'run', target: 'note' },
      ],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    executionId = (await server.api('POST', '/api/flows/restart-db/run', { payload: {} })).body.executionId;
    const exec = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${executionId}`)).body;
      return e.approvals?.length > 0 && e.steps.find((s: { nodeId: string; output?: unknown }) => s.nodeId === 'note' && s.output) && e;
    }, 15_000, 'the approval and the link');
    link = exec.steps.find((s: { nodeId: string }) => s.nodeId === 'note').output.link;
  }, 60_000);

  afterAll(() => closeEditor({ server, browser }));

  it('shows the linked approval without deciding it, and the decision uses the link up', async () => {
    expect(link).toMatch(/\/#\/approvals\?link=/);
    // Without SALVE_PUBLIC_ORIGIN the link is a path from the editor's root.
    await page.goto(`${server.url}${link}`);
    const linked = page.getByTestId('linked-approval');
    await linked.getByText('Restart postgresql on db1?').waitFor();
    expect((await server.api('GET', `/api/executions/${executionId}`)).body.approvals[0].status).toBe('pending');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `approval-link-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    const id = (await server.api('GET', `/api/executions/${executionId}`)).body.approvals[0].id;
    // The admin started the run and wrote the flow: not theirs to approve (no self-approval), but to reject.
    await linked.getByTestId(`reject-${id}`).click();
    await linked.getByTestId('link-used').waitFor();
    expect(await linked.getByTestId('link-used').textContent()).toContain('already used');
    expect((await server.api('GET', `/api/executions/${executionId}`)).body.approvals[0].status).toBe('rejected');
    await screenshot(page, 'approval-link-used-1440');
  });
});
