import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { startKubeApi, type KubeApi } from '../kit/kube-api.js';
import { removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

/**
 * kill -9 while an action.kubernetes step waits for the API server's answer to the change it
 * asked for (the change is applied; the answer never arrives). After the restart the step is
 * retried (the node is idempotent) and must not act twice: no second Job, and not the deletion
 * of a StatefulSet pod's replacement, which has the same name.
 */
const TERMINAL = new Set(['succeeded', 'no_action', 'failed', 'needs_attention', 'cancelled', 'timed_out']);

describe('kill -9 during Kubernetes steps', () => {
  let api: KubeApi;
  const dirs: string[] = [];
  let server: TestServer | undefined;
  beforeAll(async () => {
    api = await startKubeApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const d of dirs.splice(0)) removeDir(d);
  });

  const env = () => ({
    SALVE_ALLOWED_TARGETS: '127.0.0.1',
    SALVE_SECRET_KUBECONFIG_TEST: api.kubeconfig(),
    SALVE_SECRET_KUBECONFIG_TEST_HOSTS: '127.0.0.1',
    SALVE_KUBERNETES_CLUSTERS: JSON.stringify({ test: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['batch', 'data'] } }),
  });

  /** Posts `flow`, sends one alert to it, and returns the run's id. */
  async function runOnce(s: TestServer, flow: Record<string, unknown>, hook: string): Promise<string> {
    expect((await s.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${s.url}/hooks/${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { executions: string[] }).executions[0]!;
  }

  /** Kills the server while the held request waits, restarts it on the same data, and waits for the run to end. */
  async function crashAndRecover(dataDir: string, executionId: string, release: () => void) {
    await server!.kill();
    release();
    server = await startServer({ dataDir, env: env() });
    const s = server;
    return waitFor(
      async () => {
        const run = (await s.api('GET', `/api/executions/${executionId}`)).body as { status: string; steps: { nodeId: string; status: string; attempt: number; output: unknown }[] };
        return TERMINAL.has(run.status) && run;
      },
      30_000,
      'the run to end after the restart',
    );
  }

  it('a Job-creating step retried after the crash finds its Job and creates no second one', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    server = await startServer({ dataDir, env: env() });
    const flow = {
      format: 'salve.flow/v1',
      id: 'clean-disk',
      name: 'clean the disk with a Job',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'kube-job', auth: { type: 'none' } } },
        { id: 'clean', type: 'action.kubernetes', config: { cluster: 'test', operation: { type: 'run-job', namespace: 'batch', image: 'busybox:1.36', command: ['rm', '-rf', '/data/tmp/{{ alert.labels.instance }}'] } } },
      ],
      edges: [{ source: 'am', target: 'clean' }],
    };
    // The start-up output says where the cluster is and what steps may touch.
    expect(server.output()).toContain(`Kubernetes cluster test: ${api.url} (namespaces batch, data)`);
    const release = api.hold((r) => r.method === 'POST' && r.path === '/apis/batch/v1/namespaces/batch/jobs');
    const executionId = await runOnce(server, flow, 'kube-job');
    await waitFor(() => api.held() === 1, 15_000, 'the Job to be created, its answer held');
    expect(api.list('jobs')).toHaveLength(1);

    const run = await crashAndRecover(dataDir, executionId, release);
    expect(run.status).toBe('succeeded');
    const step = run.steps.find((s) => s.nodeId === 'clean')!;
    expect(step).toMatchObject({ status: 'succeeded', output: { job: { name: api.list('jobs')[0]!.metadata.name } } });
    expect(step.attempt).toBeGreaterThan(1);
    expect(api.list('jobs')).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a delete-pod step retried after the crash leaves the StatefulSet\'s replacement pod alone', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    api.requests.length = 0;
    api.put('pods', 'data', { metadata: { name: 'db-0', creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid' }] } });
    const original = api.get('pods', 'data', 'db-0')!.metadata.uid;
    server = await startServer({ dataDir, env: env() });
    const flow = {
      format: 'salve.flow/v1',
      id: 'bounce-db',
      name: 'delete the stuck database pod',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'kube-pod', auth: { type: 'none' } } },
        { id: 'bounce', type: 'action.kubernetes', config: { cluster: 'test', operation: { type: 'delete-pod', namespace: 'data', name: 'db-0' } } },
      ],
      edges: [{ source: 'am', target: 'bounce' }],
    };
    const release = api.hold((r) => r.method === 'DELETE');
    const executionId = await runOnce(server, flow, 'kube-pod');
    await waitFor(() => api.held() === 1, 15_000, 'the pod to be deleted, the answer held');
    const replacement = api.get('pods', 'data', 'db-0')!;
    expect(replacement.metadata.uid).not.toBe(original);

    const run = await crashAndRecover(dataDir, executionId, release);
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s) => s.nodeId === 'bounce'), JSON.stringify(run.steps)).toMatchObject({ status: 'succeeded', output: { deleted: false } });
    expect(api.get('pods', 'data', 'db-0')!.metadata.uid).toBe(replacement.metadata.uid);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});
