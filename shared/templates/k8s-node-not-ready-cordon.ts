import type { FlowTemplate } from './template.js';

/** KubeNodeNotReady: cordon the node so no new pods land on it, and tell the channel. */
export const k8sNodeNotReadyCordon: FlowTemplate = {
  id: 'k8s-node-not-ready-cordon',
  title: 'Kubernetes node not ready: cordon and notify',
  description:
    'When Alertmanager reports KubeNodeNotReady, cordons the node (kubectl cordon: no new pods are scheduled on it; running pods stay) and posts to Slack ' +
    'what was done and that someone should look at the node; if the cordon fails, the Slack message says so. Before enabling: name the cluster "prod" in ' +
    'SALVE_KUBERNETES_CLUSTERS with "nodes": true (its service account needs a ClusterRole that may patch nodes); set ALERTMANAGER_TOKEN and SLACK_BOT_TOKEN ' +
    '(with SALVE_SECRET_SLACK_BOT_TOKEN_HOSTS=slack.com) and the channel.',
  tags: ['kubernetes', 'cordon', 'node', 'slack', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'k8s-node-not-ready-cordon',
    name: 'Kubernetes node not ready: cordon and notify',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'kubernetes-nodes', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      { id: 'not_ready', type: 'condition.match', label: 'Node not ready?', config: { matchers: 'alertname="KubeNodeNotReady", node=~".+"' } },
      { id: 'cordon', type: 'action.kubernetes', label: 'Cordon the node', config: { cluster: 'prod', operation: { type: 'cordon', node: '{{ alert.labels.node }}' } } },
      {
        id: 'tell',
        type: 'notify.slack',
        label: 'Tell #ops',
        config: {
          auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' },
          text: ':construction: Node {{ alert.labels.node }} is not ready: Salve cordoned it, so no new pods land there. Running pods stay; please look at the node. ({{ alert.summary }})',
        },
      },
      {
        id: 'tell_failed',
        type: 'notify.slack',
        label: 'Cordon failed',
        config: {
          auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' },
          text: ':rotating_light: Node {{ alert.labels.node }} is not ready and Salve could not cordon it: {{ has(steps.cordon.message) ? steps.cordon.message : "no answer" }}',
        },
      },
    ],
    edges: [
      { source: 'am', target: 'not_ready' },
      { source: 'not_ready', sourcePort: 'match', target: 'cordon' },
      { source: 'cordon', sourcePort: 'ok', target: 'tell' },
      { source: 'cordon', sourcePort: 'error', target: 'tell_failed' },
    ],
  },
  sample: {
    sourceNodeId: 'am',
    name: 'worker-7 not ready in prod-eu1',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="KubeNodeNotReady"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-kubernetes-nodes',
      groupLabels: { alertname: 'KubeNodeNotReady' },
      commonLabels: { alertname: 'KubeNodeNotReady', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'KubeNodeNotReady', severity: 'warning', node: 'worker-7', condition: 'Ready', status: 'true', cluster: 'prod-eu1' },
          annotations: {
            summary: 'Node is not ready.',
            description: 'worker-7 has been unready for more than 15 minutes.',
            runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubenodenotready',
          },
          startsAt: '2026-12-05T09:40:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=kube_node_status_condition',
          fingerprint: '7e57ab1e0c0ffee1',
        },
      ],
    },
  },
  expectedPath: ['am', 'not_ready', 'cordon', 'tell'],
};
