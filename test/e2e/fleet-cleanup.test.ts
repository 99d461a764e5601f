import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

interface Step {
  nodeId: string;
  status: string;
  port: string | null;
  scope: string | null;
  output: Record<string, unknown>;
}

/**
 * examples/fleet-cleanup-verify.json on a real server: one alert naming two hosts → each host's
 * agent cleans up (one is busy once and is retried) → Prometheus (a loopback stand-in answering
 * its query API) reports the fullest disk, polled until under 90 % → the run waits for the
 * alert's resolved notification. PagerDuty (loopback) is paged only when the disks stay full.
 */
describe('a fleet clean-up end to end (examples/fleet-cleanup-verify.json)', () => {
  let agentA: Target;
  let agentB: Target;
  let prometheus: Target;
  let pagerduty: Target;
  let server: TestServer;
  let busyOnce = true;
  /** The fullest disk as Prometheus reports it, one value per query (the last one repeats). */
  let ratios: number[] = [];

  beforeAll(async () => {
    agentA = await startTarget();
    agentB = await startTarget(() => {
      if (!busyOnce) return { status: 200, body: '{"ok":true}' };
      busyOnce = false;
      return { status: 503, body: '{"error":"busy"}' };
    });
    prometheus = await startTarget(() => {
      const value = ratios.length > 1 ? ratios.shift()! : ratios[0]!;
      return { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1733270400, String(value)] }] } }) };
    });
    pagerduty = await startTarget(() => ({ status: 202, body: '{"status":"success","dedup_key":"x"}' }));
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_AM_TOKEN: 'am-token-0123456789',
        SALVE_SECRET_PD_ROUTING_KEY: 'pd-routing-key-0123456789',
        SALVE_SECRET_PD_ROUTING_KEY_HOSTS: '127.0.0.1',
      },
    });
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'fleet-cleanup-verify.json'), 'utf8'));
    // Here Prometheus and PagerDuty are the test's own, and the waits are short.
    for (const node of example.nodes) {
      if (node.id === 'verify') Object.assign(node.config, { url: prometheus.url, every: 5, within: 12 });
      if (node.id === 'clean') node.retry.initialDelay = 1;
      if (node.id === 'page_oncall') node.config.baseUrl = pagerduty.url;
    }
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    for (const t of [agentA, agentB, prometheus, pagerduty]) await t?.close();
  });

  const alert = (fingerprint: string, status: 'firing' | 'resolved' = 'firing') => {
    const base = amAlert({ fingerprint, status });
    const instances = `${agentA.url.slice('http://'.length)},${agentB.url.slice('http://'.length)}`;
    return { ...base, labels: { ...base.labels, instance: 'cluster-a', cluster: 'eu-1', mountpoint: '/var', instances } };
  };
  const deliver = async (fingerprint: string, status: 'firing' | 'resolved' = 'firing') => {
    const res = await fetch(`${server.url}/hooks/fleet`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([alert(fingerprint, status)], status)),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { executions: string[] }).executions[0];
  };
  const execution = async (id: string) => (await server.api('GET', `/api/executions/${id}`)).body as { status: string; steps: Step[] };

  it('cleans every host, retries the busy one, polls until the disks are fine, and ends when the alert clears', async () => {
    ratios = [0.95, 0.5];
    const id = (await deliver('fp-fleet-1'))!;
    const waiting = await waitFor(async () => {
      const exec = await execution(id);
      return exec.steps.some((s) => s.nodeId === 'cleared' && s.status === 'waiting') ? exec : undefined;
    }, 30_000, 'the run to wait for the resolution');

    // Each host once, the busy one twice (a retry), with the mount point computed once.
    expect(agentA.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /cleanup {"mount":"/var"}']);
    expect(agentB.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /cleanup', 'POST /cleanup']);
    const cleans = waiting.steps.filter((s) => s.nodeId === 'clean');
    expect(cleans.map((s) => s.status).sort()).toEqual(['retried', 'succeeded', 'succeeded']);
    expect(new Set(cleans.map((s) => s.scope)).size).toBe(2);
    // Prometheus was asked twice: 95 % (not yet), then 50 % (pass).
    const verifies = waiting.steps.filter((s) => s.nodeId === 'verify');
    expect(verifies.map((s) => [s.status, s.port])).toEqual([
      ['retried', 'fail'],
      ['succeeded', 'pass'],
    ]);
    expect(new URL(prometheus.requests[0]!.url, prometheus.url).searchParams.get('query')).toBe('max(disk_used_ratio{cluster="eu-1", mountpoint="/var"})');

    await deliver('fp-fleet-1', 'resolved');
    const done = await waitFor(async () => {
      const exec = await execution(id);
      return exec.status === 'succeeded' ? exec : undefined;
    }, 15_000, 'the run to end once the alert resolved');
    expect(done.steps.find((s) => s.nodeId === 'cleared')).toMatchObject({ status: 'succeeded', port: 'resolved' });
    expect(pagerduty.requests).toHaveLength(0);
  });

  it('pages on-call when the disks stay full', async () => {
    ratios = [0.97];
    busyOnce = false;
    const id = (await deliver('fp-fleet-2'))!;
    const done = await waitFor(async () => {
      const exec = await execution(id);
      return exec.status === 'succeeded' || exec.status === 'failed' ? exec : undefined;
    }, 30_000, 'the run to end');
    expect(done.status).toBe('succeeded');
    expect(done.steps.filter((s) => s.nodeId === 'verify').map((s) => s.port)).toEqual(['fail', 'fail', 'fail']);
    expect(pagerduty.requests).toHaveLength(1);
    expect(JSON.parse(pagerduty.requests[0]!.body)).toMatchObject({ event_action: 'trigger', payload: { summary: 'Disks still full in eu-1 after clean-up' } });
  });
});
