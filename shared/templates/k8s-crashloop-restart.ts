import type { FlowTemplate } from './template.js';

/** KubePodCrashLooping: after approval, a rollout restart of the pod's deployment through the Kubernetes API. */
export const k8sCrashloopRestart: FlowTemplate = {
  id: 'k8s-crashloop-restart',
  title: 'Kubernetes crash loop: restart the deployment',
  description:
    'When Alertmanager reports KubePodCrashLooping for a pod outside kube-system and monitoring, asks the on-call person, then does what ' +
    '"kubectl rollout restart" does: a PATCH of the deployment\'s pod template annotation kubectl.kubernetes.io/restartedAt through the Kubernetes API. ' +
    'Before enabling: the alert needs a deployment label (join kube_pod_owner and kube_replicaset_owner in the rule); point the URL at your API server; ' +
    'set K8S_API_TOKEN to "Bearer <token>" of a service account that may only patch deployments, with SALVE_SECRET_K8S_API_TOKEN_HOSTS naming the API server; ' +
    'set ALERTMANAGER_TOKEN; and allow the API server in SALVE_ALLOWED_TARGETS.',
  tags: ['kubernetes', 'restart', 'approval', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'k8s-crashloop-restart',
    name: 'Kubernetes crash loop: restart the deployment',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'kubernetes', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      {
        id: 'crash_loop',
        type: 'condition.match',
        label: 'Crash loop in an app namespace?',
        config: { matchers: 'alertname="KubePodCrashLooping", namespace!~"kube-system|monitoring", deployment=~".+"' },
      },
      {
        id: 'ask',
        type: 'approval.request',
        label: 'Ask on-call',
        config: {
          message: 'Restart deployment {{ alert.labels.namespace }}/{{ alert.labels.deployment }}? Pod {{ alert.labels.pod }} is crash looping: {{ alert.summary }}',
          timeoutSeconds: 1800,
        },
      },
      {
        id: 'restart',
        type: 'action.http',
        label: 'Rollout restart',
        config: {
          method: 'PATCH',
          url: 'https://kubernetes.example.internal:6443/apis/apps/v1/namespaces/{{ alert.labels.namespace }}/deployments/{{ alert.labels.deployment }}',
          headers: { Authorization: { secret: 'K8S_API_TOKEN' }, 'Content-Type': 'application/strategic-merge-patch+json' },
          body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '{{ execution.startedAt }}' } } } } },
          expectStatus: [200],
          timeoutSeconds: 30,
        },
      },
    ],
    edges: [
      { source: 'am', target: 'crash_loop' },
      { source: 'crash_loop', sourcePort: 'match', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ],
    settings: { allowedTargets: ['kubernetes.example.internal:6443'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: 'checkout pod crash looping in shop',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="KubePodCrashLooping", namespace="shop"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-kubernetes',
      groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop' },
      commonLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: {
            alertname: 'KubePodCrashLooping',
            severity: 'warning',
            namespace: 'shop',
            pod: 'checkout-6c9f7d8b54-q2x7m',
            container: 'checkout',
            deployment: 'checkout',
            cluster: 'prod-eu1',
          },
          annotations: {
            summary: 'Pod shop/checkout-6c9f7d8b54-q2x7m (checkout) restarted 6 times in 15 minutes.',
            runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
          },
          startsAt: '2026-12-05T11:02:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=kube_pod_container_status_waiting_reason',
          fingerprint: 'c0ffee5a1b2c3d4e',
        },
      ],
    },
  },
  expectedPath: ['am', 'crash_loop', 'ask', 'restart'],
};
