import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../../../test/kit/alertmanager.js';
import { testEngine } from '../../../test/kit/engine.js';
import { startKubeApi, type KubeApi } from '../../../test/kit/kube-api.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { parseFlowOrThrow } from './flow-service.js';

/**
 * The Test tab on a flow with Kubernetes steps: each is checked by the cluster's API server as a
 * dry run (dryRun=All), so the test follows the port the step would take and changes nothing;
 * on a cluster whose operator turned dry runs off, the step is assumed as before.
 */
let api: KubeApi;
beforeAll(async () => {
  api = await startKubeApi();
});
afterAll(async () => {
  await api?.close();
});

const flow = (cluster: string, name: string): Flow =>
  parseFlowOrThrow({
    format: 'salve.flow/v1',
    id: 'restart-api',
    name: 'restart the API',
    enabled: true,
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'k8s', auth: { type: 'none' } } },
      { id: 'restart', type: 'action.kubernetes', config: { cluster, operation: { type: 'rollout-restart', namespace: 'web', name } } },
      { id: 'page', type: 'notify.pagerduty', config: { routingKey: { secret: 'PD_KEY' } } },
    ],
    edges: [
      { source: 'am', target: 'restart' },
      { source: 'restart', sourcePort: 'error', target: 'page' },
    ],
  });

function engine() {
  return testEngine({
    secrets: { KUBECONFIG_TEST: api.kubeconfig() },
    secretHosts: { KUBECONFIG_TEST: '127.0.0.1' },
    allowedTargets: ['127.0.0.1'],
    kubernetesClusters: {
      checked: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['web'], nodes: false, dryRun: true },
      unchecked: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['web'], nodes: false, dryRun: false },
    },
  }).engine;
}

describe('the Test tab with action.kubernetes', () => {
  it('asks the API server with dryRun=All, shows its answer, and changes nothing', async () => {
    api.put('deployments', 'web', { metadata: { name: 'api' }, spec: { replicas: 2, template: {} } });
    const before = JSON.stringify(api.get('deployments', 'web', 'api'));
    api.requests.length = 0;
    const [alert] = await engine().simulate(flow('checked', 'api'), 'alertmanager', amPayload([amAlert()]));
    const step = alert!.steps.find((s) => s.nodeId === 'restart')!;
    expect(step).toMatchObject({ status: 'taken', port: 'ok', dryRun: true, result: { dryRun: true, message: 'would restart deployment web/api (dry run: the API server accepted the patch)' } });
    expect(step.assumed).toBeUndefined();
    expect(api.requests.filter((r) => r.method !== 'GET').map((r) => r.query)).toEqual([{ dryRun: 'All' }]);
    expect(JSON.stringify(api.get('deployments', 'web', 'api'))).toBe(before);
    expect(alert!.skipped).toContain('page');
  });

  it('follows the error port when the API server would refuse (a deployment that does not exist)', async () => {
    const [alert] = await engine().simulate(flow('checked', 'nope'), 'alertmanager', amPayload([amAlert()]));
    expect(alert!.steps.find((s) => s.nodeId === 'restart')).toMatchObject({ status: 'error', port: 'error', dryRun: true, error: expect.stringContaining('deployments.apps "nope" not found') });
    expect(alert!.steps.find((s) => s.nodeId === 'page')).toMatchObject({ status: 'taken', assumed: true });
  });

  it('assumes the step, asking nothing, on a cluster whose dry runs are off', async () => {
    api.requests.length = 0;
    const [alert] = await engine().simulate(flow('unchecked', 'api'), 'alertmanager', amPayload([amAlert()]));
    expect(alert!.steps.find((s) => s.nodeId === 'restart')).toMatchObject({ status: 'taken', port: 'ok', assumed: true });
    expect(api.requests).toEqual([]);
  });

  it('assumes the step for a cluster this Salve does not know (a flow written before its cluster is configured)', async () => {
    api.requests.length = 0;
    const [alert] = await engine().simulate(flow('elsewhere', 'api'), 'alertmanager', amPayload([amAlert()]));
    expect(alert!.steps.find((s) => s.nodeId === 'restart')).toMatchObject({ status: 'taken', port: 'ok', assumed: true });
    expect(api.requests).toEqual([]);
  });
});
