import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amBody } from '../kit/alertmanager.js';
import { flowDoc } from '../kit/flow.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const METRICS_TOKEN = 'e2e-metrics-token-0123456789';

/** The value of one series (`name{labels}` as printed), undefined when absent. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** GET /metrics through a real server, as Prometheus scrapes it, validated by the real promtool. */
describe('GET /metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_METRICS_TOKEN: METRICS_TOKEN } });
    const flow = flowDoc({ id: 'disk-cleanup', nodes: [{ id: 'fix', type: 'action.shell', config: { command: ['true'] } }], edges: [{ source: 'am', target: 'fix' }] });
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const scrape = (token?: string) => fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers 401 without the metrics token or the admin token, and never takes the metrics token for the API', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('a-wrong-token-0123456789')).status).toBe(401);
    expect((await fetch(`${server.url}/api/flows`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
    expect((await scrape(server.token)).status).toBe(200);
  });

  it('hands the metrics token to the server like a secret: not in its environment, not in its output', async () => {
    expect(readFileSync(`/proc/${server.serverPid}/environ`, 'utf8')).not.toContain(METRICS_TOKEN);
    expect(server.output()).not.toContain(METRICS_TOKEN);
  });

  it('after an alert ran a flow: text promtool accepts, with the delivery, the ended run and its step', async () => {
    const post = (body: unknown) => fetch(`${server.url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const accepted = await post(amBody('disk-full-1'));
    expect(accepted.status).toBe(202);
    const [id] = ((await accepted.json()) as { executions: string[] }).executions;
    expect((await post(amBody('disk-full-1'))).status).toBe(202); // the same alert again: a duplicate
    expect((await fetch(`${server.url}/hooks/unknown-path`, { method: 'POST', body: '{}' })).status).toBe(404);
    await waitFor(async () => (await server.api('GET', `/api/executions/${id}`)).body.status === 'succeeded', 10_000, 'the run to succeed');

    const res = await scrape(METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool must be installed (Debian package prometheus; .ci/run installs it)').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);

    expect(seriesValue(text, 'salve_deliveries_total{source="alertmanager",outcome="accepted"}')).toBe(1);
    expect(seriesValue(text, 'salve_deliveries_total{source="alertmanager",outcome="duplicate"}')).toBe(1);
    expect(seriesValue(text, 'salve_deliveries_total{source="none",outcome="not_found"}')).toBe(1);
    expect(seriesValue(text, 'salve_executions_total{flow="disk-cleanup",status="succeeded"}')).toBe(1);
    expect(seriesValue(text, 'salve_step_duration_seconds_count{node_type="action.shell"}')).toBe(1);
    expect(seriesValue(text, 'salve_step_duration_seconds_sum{node_type="action.shell"}')).toBeGreaterThan(0);
    expect(seriesValue(text, 'salve_queue_depth')).toBe(0);
    expect(seriesValue(text, 'salve_approvals_pending')).toBe(0);
    expect(seriesValue(text, 'salve_automation_paused')).toBe(0);
    expect(seriesValue(text, 'salve_store_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(seriesValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).not.toContain('unknown-path');
    expect(text).not.toContain(METRICS_TOKEN);
  });
});
