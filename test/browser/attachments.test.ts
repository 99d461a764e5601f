import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { launchBrowser, screenshot, signedInPage } from '../kit/browser.js';
import { closeEditor, selectNodeByKeyboard } from '../kit/editor-session.js';
import { startKubeApi, type KubeApi } from '../kit/kube-api.js';
import { startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/** The widths an operator reads Salve at: a desk monitor, a laptop or tablet, a phone. */
const WIDTHS = [1440, 1024, 390] as const;

const LOG = Array.from({ length: 40 }, (_, i) => `2026-12-06T02:${String(i).padStart(2, '0')}:00Z ERROR checkout: connection to db refused (attempt ${i + 1})`).join('\n') + '\n';

/**
 * A stand-in Prometheus for the chart: /api/v1/query_range answers three series over the range
 * asked, as Prometheus writes a matrix (the real one is tested with the node itself).
 */
function startPrometheus(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const start = Number(url.searchParams.get('start'));
    const end = Number(url.searchParams.get('end'));
    const step = Number(url.searchParams.get('step'));
    const result = ['checkout-6c9f-q2x7m', 'checkout-6c9f-h8k2p', 'checkout-6c9f-z9w4r'].map((pod, k) => {
      const values: [number, string][] = [];
      for (let t = start, i = 0; t <= end; t += step, i++) values.push([t, String(20 + 15 * k + 10 * Math.sin(i / (6 + k)) + (k === 0 && i > 150 ? 60 : 0))]);
      return { metric: { pod, namespace: 'shop' }, values };
    });
    res.writeHead(url.pathname === '/api/v1/query_range' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A run whose enrich steps read a pod's log and charted its CPU: the run view shows both files, and they download. */
describe('attachments in the run view', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let api: KubeApi;
  let prometheus: Server;
  let runId = '';

  beforeAll(async () => {
    api = await startKubeApi();
    api.put('pods', 'shop', { metadata: { name: 'checkout-6c9f-q2x7m' }, spec: { containers: [{ name: 'checkout' }] } });
    api.setLogs('shop', 'checkout-6c9f-q2x7m', LOG);
    prometheus = await startPrometheus();
    const prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_KUBECONFIG_PROD: api.kubeconfig(),
        SALVE_SECRET_KUBECONFIG_PROD_HOSTS: '127.0.0.1',
        SALVE_KUBERNETES_CLUSTERS: JSON.stringify({ prod: { kubeconfig: 'KUBECONFIG_PROD', namespaces: ['shop'] } }),
      },
    });
    const flow = {
      format: 'salve.flow/v1',
      id: 'crash-logs',
      name: 'Crash loop: read the log',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'k8s', auth: { type: 'none' } } },
        { id: 'logs', type: 'enrich.logs', label: 'Pod log', config: { from: { type: 'kubernetes', cluster: 'prod', namespace: '{{ alert.labels.namespace }}', pod: '{{ alert.labels.pod }}' }, lines: 100 } },
        {
          id: 'graph',
          type: 'enrich.graph',
          label: 'CPU of the pods',
          config: { url: prometheusUrl, query: 'rate(container_cpu_usage_seconds_total{namespace="{{ alert.labels.namespace }}"}[5m])', title: 'CPU of shop pods', rangeMinutes: 60 },
        },
      ],
      edges: [
        { source: 'am', target: 'logs' },
        { source: 'logs', sourcePort: 'ok', target: 'graph' },
      ],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const alert = { ...amAlert({ alertname: 'KubePodCrashLooping', fingerprint: 'att-1' }), labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'checkout-6c9f-q2x7m', severity: 'warning' } };
    const res = await fetch(`${server.url}/hooks/k8s`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([alert])) });
    runId = ((await res.json()) as { executions: string[] }).executions[0]!;
    await waitFor(async () => ((await server.api('GET', `/api/executions/${runId}`)).body as { status: string }).status === 'succeeded');
    browser = await launchBrowser();
    page = await signedInPage(browser, server);
  }, 60_000);

  afterAll(async () => {
    await closeEditor({ server, browser });
    await api?.close();
    await new Promise((resolve) => prometheus?.close(resolve));
  });

  it('shows the log under the step’s output with its name and size, and Download saves that file', async () => {
    await page.goto(`${server.url}/#/runs/${runId}`);
    await page.getByTestId('step-chip-2').click();
    const attachment = page.getByTestId('attachment');
    await attachment.waitFor();
    const text = await attachment.textContent();
    expect(text).toContain('checkout-6c9f-q2x7m.log');
    expect(text).toContain('attempt 40');
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await attachment.scrollIntoViewIfNeeded();
      await screenshot(page, `run-attachment-log-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    const [download] = await Promise.all([page.waitForEvent('download'), attachment.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('checkout-6c9f-q2x7m.log');
  });

  it('shows the chart as an image the browser decoded, at the panel’s width', async () => {
    await page.goto(`${server.url}/#/runs/${runId}`);
    await page.getByTestId('step-chip-3').click();
    const attachment = page.getByTestId('attachment');
    await attachment.waitFor();
    expect(await attachment.textContent()).toContain('.png');
    const image = attachment.locator('img');
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(800);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await attachment.scrollIntoViewIfNeeded();
      await screenshot(page, `run-attachment-chart-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows the enrich steps’ forms: where the log comes from, and the chart’s query', async () => {
    await page.goto(`${server.url}/#/flows/crash-logs`);
    await page.getByTestId('canvas').waitFor();
    const panel = page.getByTestId('node-panel');
    await selectNodeByKeyboard(page, 'logs');
    await expect.poll(() => panel.textContent()).toContain('Read from');
    for (const label of ['Cluster', 'Namespace', 'Pod', 'Previous run', 'Last lines']) expect(await panel.textContent()).toContain(label);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await screenshot(page, `enrich-logs-form-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await selectNodeByKeyboard(page, 'graph');
    await expect.poll(() => panel.textContent()).toContain('Prometheus URL');
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await screenshot(page, `enrich-graph-form-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
