import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { secretStoreFrom } from '../../../runtime/engine/secrets/secrets.js';
import { clusterSpecsJson } from '../../../runtime/kubernetes/cluster-specs.js';
import { KubernetesDirectory } from '../../../runtime/kubernetes/clusters.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { startKubeApi, type KubeApi } from '../../../test/kit/kube-api.js';
import { startTarget } from '../../../test/kit/target.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import type { Resolved } from '../../executor.js';
import { kubernetesAction, KubernetesConfigSchema, type KubernetesConfig } from './definition.js';
import { runKubernetes } from './execute.js';
import { jobName } from './job.js';
import type { KubernetesOutput } from './output.js';

/**
 * action.kubernetes against the loopback API stand-in (test/kit/kube-api.ts): the exact requests
 * Kubernetes documents (paths, verbs, patch types and bodies, dryRun), through the destination
 * policy, with the kubeconfig's CA and token; and each operation's behaviour on a retry.
 */
let api: KubeApi;
beforeAll(async () => {
  api = await startKubeApi();
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const CLUSTERS = { test: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['web', 'batch'], nodes: true }, nonodes: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['web'] } };

interface StepOptions {
  attempt?: number;
  executionId?: string;
  labels?: Record<string, string>;
  dryRun?: boolean;
  /** The kubeconfig secret's host list (default: the stand-in's address). */
  secretHosts?: string[] | undefined;
  runStartedAt?: string;
}

async function step(input: Record<string, unknown>, options: StepOptions = {}) {
  const secrets = secretStoreFrom({ KUBECONFIG_TEST: api.kubeconfig() });
  const hosts = 'secretHosts' in options ? options.secretHosts : ['127.0.0.1'];
  const policy = new DestinationPolicy({
    allowedTargets: ['127.0.0.1'],
    secretHosts: (name) => (name === 'KUBECONFIG_TEST' ? hosts : undefined),
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const directory = new KubernetesDirectory({ specs: clusterSpecsJson.parse(JSON.stringify(CLUSTERS)), secrets });
  const executionId = options.executionId ?? 'ex-kube-1';
  const ctx = testContext({
    network: policy.forStep({ secrets: [] }),
    kubernetes: directory.forTeam(async () => undefined),
    attempt: options.attempt ?? 1,
    executionId,
    idempotencyKey: `${executionId}:kubernetes`,
    now: () => new Date('2026-12-05T10:00:00.123Z'),
    vars: {
      alert: testAlert({ labels: { alertname: 'KubePodCrashLooping', namespace: 'web', pod: 'api-0', deployment: 'api', node: 'worker-3', ...options.labels } }),
      execution: { id: executionId, startedAt: options.runStartedAt ?? new Date(Date.now() - 60_000).toISOString() },
    },
  });
  const config = KubernetesConfigSchema.parse({ cluster: 'test', ...input });
  const rendered = renderConfig(config, kubernetesAction.expressions(config), ctx.vars);
  const outcome = await runKubernetes(rendered.value as Resolved<KubernetesConfig>, ctx, { dryRun: options.dryRun ?? false });
  return { outcome, output: (outcome as { output: KubernetesOutput }).output };
}

const writes = () => api.requests.filter((r) => r.method !== 'GET');

describe('action.kubernetes: rollout-restart', () => {
  it('patches the pod template with kubectl\'s restartedAt and the step\'s key, once, then waits for the rollout', async () => {
    api.put('deployments', 'web', { metadata: { name: 'api' }, spec: { replicas: 3, template: { metadata: { annotations: { team: 'web' } } } } });
    api.rolloutAfterGets = 1;
    const restart = { operation: { type: 'rollout-restart', namespace: '{{ alert.labels.namespace }}', name: '{{ alert.labels.deployment }}' }, every: 10, within: 300 };
    const first = await step(restart);
    expect(writes()).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/web/deployments/api',
        query: {},
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-05T10:00:00Z', 'salve.dev/restart-key': 'ex-kube-1:kubernetes' } } } } },
        authorization: `Bearer ${api.token}`,
      },
    ]);
    expect(first.outcome).toMatchObject({ type: 'next', port: 'timeout', output: { rollout: { complete: false }, target: 'deployment web/api' } });
    expect(api.get('deployments', 'web', 'api')!.spec.template.metadata.annotations.team).toBe('web');

    // The next polls (and a retry after a crash) see their own key: no second restart.
    const second = await step(restart, { attempt: 2 });
    const third = await step(restart, { attempt: 3 });
    expect(writes()).toHaveLength(1);
    expect([second.outcome, third.outcome].map((o) => (o as { port: string }).port)).toContain('ok');
    expect(third.output.rollout).toEqual({ complete: true });
  });

  it('without a wait, restarts and goes on; a retry says it was already done', async () => {
    api.put('statefulsets', 'web', { metadata: { name: 'db' }, spec: { replicas: 1, template: {} } });
    const restart = { operation: { type: 'rollout-restart', resource: 'statefulset', namespace: 'web', name: 'db' } };
    expect((await step(restart)).outcome).toMatchObject({ type: 'next', port: 'ok', output: { message: 'restarted statefulset web/db' } });
    expect((await step(restart, { attempt: 2 })).outcome).toMatchObject({ type: 'next', port: 'ok', output: { message: 'statefulset web/db was already restarted by this step' } });
    expect(writes().map((r) => r.path)).toEqual(['/apis/apps/v1/namespaces/web/statefulsets/db']);
  });
});

describe('action.kubernetes: scale', () => {
  it('patches the scale subresource with a merge patch, from a template, within the bounds', async () => {
    api.put('deployments', 'web', { metadata: { name: 'api' }, spec: { replicas: 2, template: {} } });
    const scaled = await step({ operation: { type: 'scale', namespace: 'web', name: 'api', replicas: '{{ alert.labels.want }}', min: 1, max: 6 } }, { labels: { want: '4' } });
    expect(scaled.outcome).toMatchObject({ type: 'next', port: 'ok', output: { replicas: { from: 2, to: 4 } } });
    expect(writes()).toMatchObject([{ method: 'PATCH', path: '/apis/apps/v1/namespaces/web/deployments/api/scale', contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } }]);
    expect(api.get('deployments', 'web', 'api')!.spec.replicas).toBe(4);
  });

  it('sends nothing for a value outside the bounds or not a number', async () => {
    const over = await step({ operation: { type: 'scale', namespace: 'web', name: 'api', replicas: '{{ alert.labels.want }}', min: 1, max: 6 } }, { labels: { want: '50' } });
    expect(over.outcome).toMatchObject({ type: 'fail', port: 'error', output: { message: 'replicas 50 is outside the bounds 1–6; nothing was changed', status: null } });
    const text = await step({ operation: { type: 'scale', namespace: 'web', name: 'api', replicas: '{{ alert.labels.want }}', min: 1, max: 6 } }, { labels: { want: '3; rm -rf /' } });
    expect(text.outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(api.requests).toEqual([]);
  });
});

describe('action.kubernetes: delete-pod', () => {
  it('marks the pod, then deletes it with its uid as a precondition', async () => {
    const pod = api.put('pods', 'web', { metadata: { name: 'api-7d9f-x2', creationTimestamp: '2026-01-01T00:00:00Z' } });
    const deleted = await step({ operation: { type: 'delete-pod', namespace: 'web', name: 'api-7d9f-x2', gracePeriodSeconds: 5 } });
    expect(deleted.outcome).toMatchObject({ type: 'next', port: 'ok', output: { deleted: true } });
    expect(writes()).toMatchObject([
      { method: 'PATCH', path: '/api/v1/namespaces/web/pods/api-7d9f-x2', contentType: 'application/merge-patch+json', body: { metadata: { resourceVersion: pod.metadata.resourceVersion, annotations: { 'salve.dev/delete-key': 'ex-kube-1:kubernetes' } } } },
      { method: 'DELETE', path: '/api/v1/namespaces/web/pods/api-7d9f-x2', body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: pod.metadata.uid }, gracePeriodSeconds: 5 } },
    ]);
    expect(api.get('pods', 'web', 'api-7d9f-x2')).toBeUndefined();
    // A retry finds it gone: success, nothing deleted.
    expect((await step({ operation: { type: 'delete-pod', namespace: 'web', name: 'api-7d9f-x2' } }, { attempt: 2 })).outcome).toMatchObject({ port: 'ok', output: { deleted: false, status: 404 } });
  });

  it('leaves a StatefulSet\'s replacement (same name, created after the run started) alone on a retry', async () => {
    api.put('pods', 'web', { metadata: { name: 'db-0', creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ kind: 'StatefulSet', name: 'db', apiVersion: 'apps/v1', uid: 'x' }] } });
    const runStartedAt = new Date(Date.now() - 5_000).toISOString();
    expect((await step({ operation: { type: 'delete-pod', namespace: 'web', name: 'db-0' } }, { runStartedAt })).outcome).toMatchObject({ port: 'ok', output: { deleted: true } });
    const replacement = api.get('pods', 'web', 'db-0')!;
    expect(replacement).toBeDefined();
    const retried = await step({ operation: { type: 'delete-pod', namespace: 'web', name: 'db-0' } }, { attempt: 2, runStartedAt });
    expect(retried.outcome).toMatchObject({ type: 'next', port: 'ok', output: { deleted: false } });
    expect(retried.output.message).toContain('was created after this run started');
    expect(api.get('pods', 'web', 'db-0')!.metadata.uid).toBe(replacement.metadata.uid);
    expect(writes().filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('on a retry, deletes a pod that still carries its mark (the first try stopped between marking and deleting)', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-marked', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'salve.dev/delete-key': 'ex-kube-1:kubernetes' } } });
    expect((await step({ operation: { type: 'delete-pod', namespace: 'web', name: 'api-marked' } }, { attempt: 2 })).outcome).toMatchObject({ port: 'ok', output: { deleted: true } });
    expect(writes().map((r) => r.method)).toEqual(['DELETE']);
  });
});

describe('action.kubernetes: cordon, logs, jobs', () => {
  it('cordons and uncordons a node with a strategic merge patch, only on a cluster that allows nodes', async () => {
    api.put('nodes', null, { metadata: { name: 'worker-3' }, spec: {} });
    expect((await step({ operation: { type: 'cordon', node: '{{ alert.labels.node }}' } })).outcome).toMatchObject({ port: 'ok', output: { message: 'cordoned node worker-3' } });
    expect(writes()).toMatchObject([{ method: 'PATCH', path: '/api/v1/nodes/worker-3', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: true } } }]);
    expect(api.get('nodes', null, 'worker-3')!.spec.unschedulable).toBe(true);
    await step({ operation: { type: 'uncordon', node: 'worker-3' } });
    expect(api.get('nodes', null, 'worker-3')!.spec.unschedulable).toBe(false);
    api.requests.length = 0;
    const refused = await step({ cluster: 'nonodes', operation: { type: 'cordon', node: 'worker-3' } });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { message: 'cluster nonodes does not allow node operations (set "nodes": true for it in SALVE_KUBERNETES_CLUSTERS); nothing was sent' } });
    expect(api.requests).toEqual([]);
  });

  it('waits out a 429 from the API server (Retry-After) and sends again; a wait past the timeout fails the step with the server\'s words', async () => {
    api.put('nodes', null, { metadata: { name: 'worker-7' }, spec: {} });
    api.throttle(2, '0');
    expect((await step({ operation: { type: 'cordon', node: 'worker-7' } })).outcome).toMatchObject({ port: 'ok', output: { message: 'cordoned node worker-7' } });
    expect(api.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
    expect(api.get('nodes', null, 'worker-7')!.spec.unschedulable).toBe(true);
    api.requests.length = 0;
    api.throttle(1, '3600');
    const late = await step({ operation: { type: 'uncordon', node: 'worker-7' } });
    expect(late.outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(late.output.message).toContain('Too many requests');
    expect(api.requests).toHaveLength(1);
    expect(api.get('nodes', null, 'worker-7')!.spec.unschedulable).toBe(true);
  });

  it('reads the last lines of a pod\'s previous log', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-0' } });
    api.setLogs('web', 'api-0', 'boot\npanic: out of memory\n', { container: 'app', previous: true });
    const read = await step({ operation: { type: 'pod-logs', namespace: 'web', name: '{{ alert.labels.pod }}', container: 'app', previous: true, tailLines: 50 } });
    expect(read.outcome).toMatchObject({ type: 'next', port: 'ok', output: { logs: 'boot\npanic: out of memory\n', message: 'read 2 lines of the previous run’s log of pod web/api-0 (container app)' } });
    expect(api.requests).toMatchObject([{ method: 'GET', path: '/api/v1/namespaces/web/pods/api-0/log', query: { tailLines: '50', limitBytes: '262144', container: 'app', previous: 'true' } }]);
  });

  it('reads the newest lines of a log too long for 256 KiB, and says it was cut', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-0' } });
    const lines = Array.from({ length: 4000 }, (_, i) => `${`line ${i + 1} `.padEnd(99, '.')}\n`);
    api.setLogs('web', 'api-0', lines.join(''));
    const read = await step({ operation: { type: 'pod-logs', namespace: 'web', name: 'api-0', tailLines: 3000 } });
    const output = (read.outcome as { output: { logs: string; message: string } }).output;
    expect(output.logs.endsWith(lines[3999]!)).toBe(true);
    expect(Buffer.byteLength(output.logs)).toBeLessThanOrEqual(256 * 1024);
    expect(output.message).toMatch(/^read \d+ lines of the log of pod web\/api-0 \(the newest that fit in 256 KiB: the log was cut\)$/);
    expect(api.requests.map((r) => r.query.tailLines)).toEqual(['3000', String(Math.floor(Math.floor(262144 / 100) * 0.9))]);
  });

  it('creates one Job per step, named from the run and node, finds it again on a retry, and returns its log when it ends', async () => {
    api.jobOutcome = { afterGets: 1, result: 'succeeded' };
    const job = { operation: { type: 'run-job', namespace: 'batch', image: 'registry.internal/tools/disk-clean:1.4', command: ['disk-clean', '--path', '{{ alert.labels.mountpoint }}'], env: { TARGET: '{{ alert.labels.instance }}' } }, every: 10, within: 600 };
    const first = await step(job, { executionId: 'ex-job', labels: { mountpoint: '/var/log', instance: 'db1:9100' } });
    const name = jobName('ex-job:kubernetes');
    expect(first.outcome).toMatchObject({ type: 'next', port: 'timeout', output: { job: { name, result: 'running' } } });
    const posted = writes();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      method: 'POST',
      path: '/apis/batch/v1/namespaces/batch/jobs',
      body: {
        metadata: { name, namespace: 'batch', annotations: { 'salve.dev/step-key': 'ex-job:kubernetes' } },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: 600,
          ttlSecondsAfterFinished: 3600,
          template: { spec: { restartPolicy: 'Never', containers: [{ image: 'registry.internal/tools/disk-clean:1.4', command: ['disk-clean', '--path', '/var/log'], env: [{ name: 'TARGET', value: 'db1:9100' }] }] } },
        },
      },
    });
    const pod = api.list('pods').find((p) => p.metadata.labels?.['job-name'] === name)!;
    api.setLogs('batch', pod.metadata.name, 'freed 12 GiB\n');
    const labels = { mountpoint: '/var/log', instance: 'db1:9100' };
    const polls = [await step(job, { executionId: 'ex-job', attempt: 2, labels }), await step(job, { executionId: 'ex-job', attempt: 3, labels })];
    const done = polls.find((p) => (p.outcome as { port: string }).port === 'ok')!;
    expect(done.output).toMatchObject({ job: { name, result: 'succeeded', pod: pod.metadata.name }, logs: 'freed 12 GiB\n' });
    expect(writes()).toHaveLength(1);
  });

  it('goes to failed with the log when the Job fails, and refuses a Job of that name it did not make', async () => {
    api.jobOutcome = { afterGets: 0, result: 'failed' };
    const job = { operation: { type: 'run-job', namespace: 'batch', image: 'busybox:1.36', command: ['false'] }, every: 10, within: 600 };
    await step(job, { executionId: 'ex-fail' });
    const ended = await step(job, { executionId: 'ex-fail', attempt: 2 });
    expect(ended.outcome).toMatchObject({ type: 'next', port: 'failed', output: { job: { result: 'failed', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit' } } });

    api.put('jobs', 'batch', { metadata: { name: jobName('ex-other:kubernetes') }, spec: {} });
    const foreign = await step(job, { executionId: 'ex-other' });
    expect(foreign.outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(foreign.output.message).toContain('exists but was not created by this step');
  });
});

describe('action.kubernetes: what is refused before any request', () => {
  it('a namespace the cluster does not list, and a name from the alert that is not a Kubernetes name', async () => {
    const system = await step({ operation: { type: 'delete-pod', namespace: 'kube-system', name: 'coredns-1' } });
    expect(system.outcome).toMatchObject({ type: 'fail', port: 'error', output: { message: 'namespace kube-system is not allowed on cluster test (its namespaces in SALVE_KUBERNETES_CLUSTERS: web, batch); nothing was sent' } });
    const traversal = await step({ operation: { type: 'delete-pod', namespace: 'web', name: '{{ alert.labels.pod }}' } }, { labels: { pod: '../../kube-system/pods/coredns' } });
    expect(traversal.output.message).toMatch(/^name "..\/..\/kube-system\/pods\/coredns" is not a Kubernetes name/);
    expect(api.requests).toEqual([]);
  });

  it('an API server the kubeconfig secret may not be sent to', async () => {
    const refused = await step({ operation: { type: 'pod-logs', namespace: 'web', name: 'api-0' } }, { secretHosts: undefined });
    expect(refused.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect(refused.output.message).toContain('KUBECONFIG_TEST');
    expect(api.requests).toEqual([]);
  });

  it('reports the API server\'s RBAC refusal in its words', async () => {
    api.forbidNamespace('batch');
    const forbidden = await step({ operation: { type: 'pod-logs', namespace: 'batch', name: 'x' } });
    expect(forbidden.outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 403 } });
    expect(forbidden.output.message).toContain('is forbidden: User "system:serviceaccount:salve:salve" cannot');
  });
});

describe('action.kubernetes: dry run', () => {
  it('sends every change with dryRun=All and changes nothing', async () => {
    api.put('deployments', 'web', { metadata: { name: 'dry' }, spec: { replicas: 2, template: {} } });
    const before = JSON.stringify(api.get('deployments', 'web', 'dry'));
    const restart = await step({ operation: { type: 'rollout-restart', namespace: 'web', name: 'dry' }, every: 10, within: 60 }, { dryRun: true });
    expect(restart.outcome).toMatchObject({ type: 'next', port: 'ok', output: { dryRun: true } });
    const scaled = await step({ operation: { type: 'scale', namespace: 'web', name: 'dry', replicas: '3', max: 5 } }, { dryRun: true });
    expect(scaled.output.message).toBe('would scale deployment web/dry from 2 to 3 replicas');
    expect(writes().map((r) => r.query)).toEqual([{ dryRun: 'All' }, { dryRun: 'All' }]);
    expect(JSON.stringify(api.get('deployments', 'web', 'dry'))).toBe(before);
  });
});

describe('action.kubernetes: an answer that is not Kubernetes', () => {
  it('reports a proxy\'s HTML page instead of reading fields of nothing', async () => {
    const proxy = await startTarget(() => ({ status: 200, body: '<html>Sign in to the corporate proxy</html>' }));
    try {
      const policy = new DestinationPolicy({ allowedTargets: ['127.0.0.1'], secretHosts: () => undefined, resolver: async () => [] });
      const cluster = { name: 'test', server: new URL(proxy.url), namespaces: ['web'], nodes: false, dryRun: true, headers: {}, tls: {} };
      const ctx = testContext({ network: policy.forStep({ secrets: [] }), kubernetes: { names: () => ['test'], cluster: async () => cluster }, vars: { alert: testAlert(), execution: { id: 'ex', startedAt: new Date().toISOString() } } });
      for (const operation of [
        { type: 'rollout-restart', namespace: 'web', name: 'api' },
        { type: 'delete-pod', namespace: 'web', name: 'api-0' },
        { type: 'run-job', namespace: 'web', image: 'busybox:1.36', command: ['true'] },
      ]) {
        const config = KubernetesConfigSchema.parse({ cluster: 'test', operation });
        const outcome = await runKubernetes(config as Resolved<KubernetesConfig>, ctx, { dryRun: false });
        expect(outcome, operation.type).toMatchObject({ type: 'fail', port: 'error', output: { status: 200 } });
        expect((outcome as { output: KubernetesOutput }).output.message).toContain('is not a Kubernetes object: <html>Sign in to the corporate proxy</html>');
      }
    } finally {
      await proxy.close();
    }
  });
});
