import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../kit/browser.js';
import { closeEditor, openEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import { startKubeApi, type KubeApi } from '../kit/kube-api.js';
import type { TestServer } from '../kit/server.js';

/**
 * An action.kubernetes step in the editor: its form (the operation's own fields), and the Test
 * tab, where the cluster's API server checks the step as a dry run and nothing changes.
 * Screenshots at three widths.
 */
describe('a Kubernetes step in the editor', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let api: KubeApi;

  beforeAll(async () => {
    api = await startKubeApi();
    api.put('deployments', 'shop', { metadata: { name: 'checkout' }, spec: { replicas: 3, template: {} } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'restart-checkout',
      name: 'restart checkout',
      enabled: false,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'k8s', auth: { type: 'none' } } },
        { id: 'restart', type: 'action.kubernetes', config: { cluster: 'prod', operation: { type: 'rollout-restart', namespace: '{{ alert.labels.namespace }}', name: '{{ alert.labels.deployment }}' }, every: 15, within: 600 } },
      ],
      edges: [{ source: 'am', target: 'restart' }],
    };
    ({ server, browser, page } = await openEditor({
      flows: [flow],
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_KUBECONFIG_PROD: api.kubeconfig(),
        SALVE_SECRET_KUBECONFIG_PROD_HOSTS: '127.0.0.1',
        SALVE_KUBERNETES_CLUSTERS: JSON.stringify({ prod: { kubeconfig: 'KUBECONFIG_PROD', namespaces: ['shop'] } }),
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await closeEditor({ server, browser });
    await api?.close();
  });

  it('shows the operation\'s fields, and the Test tab\'s dry run changes nothing', async () => {
    await page.goto(`${server.url}/#/flows/restart-checkout`);
    await page.getByTestId('canvas').waitFor();
    await selectNodeByKeyboard(page, 'restart');
    const panel = page.getByTestId('node-panel');
    await expect.poll(() => panel.textContent()).toContain('Namespace');
    expect(await panel.textContent()).toContain('Cluster');
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `kubernetes-node-form-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    const generation = api.get('deployments', 'shop', 'checkout')!.metadata.generation;
    await page.getByRole('tab', { name: 'Test' }).click();
    await page.getByTestId('test-sample').selectOption('custom');
    await page.getByTestId('test-payload').fill(
      JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'salve',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager.example.internal:9093',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', deployment: 'checkout', pod: 'checkout-6c9f-q2x7m' },
            annotations: { summary: 'checkout is crash looping' },
            startsAt: '2026-12-05T11:02:00.000Z',
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'c0ffee5a1b2c3d4e',
          },
        ],
      }),
    );
    await page.getByTestId('run-test').click();
    const checked = page.getByTestId('test-dry-run-restart');
    await checked.waitFor();
    expect(await checked.textContent()).toContain('would restart deployment shop/checkout');
    expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.query)).toEqual([{ dryRun: 'All' }]);
    expect(api.get('deployments', 'shop', 'checkout')!.metadata.generation).toBe(generation);
    for (const width of [1440, 1024, 390]) {
      await page.setViewportSize({ width, height: 900 });
      if (width >= 760) await checked.scrollIntoViewIfNeeded();
      await screenshot(page, `kubernetes-test-dry-run-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
