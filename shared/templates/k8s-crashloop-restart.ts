import type { FlowTemplate } from './template.js';

/** KubePodCrashLooping: the crashed container's last log lines, then, after approval, a rollout restart of its deployment. */
export const k8sCrashloopRestart: FlowTemplate = {
  id: 'k8s-crashloop-restart',
  title: 'Kubernetes crash loop: logs, then restart the deployment',
  description:
    'When Alertmanager reports KubePodCrashLooping for a pod outside kube-system and monitoring, reads what the container said before it last died ' +
    '(its previous log), posts it to #ops in Slack as a file in the message\'s thread, shows its end in the approval, and after approval restarts the deployment the way "kubectl rollout restart" does, ' +
    'waiting up to 10 minutes for the rollout. Before enabling: the alert needs a deployment label (join kube_pod_owner and kube_replicaset_owner in the rule); ' +
    'name the cluster "prod" in SALVE_KUBERNETES_CLUSTERS with the app namespaces and a kubeconfig secret (its service account may get and patch deployments ' +
    'and get pods/log); set ALERTMANAGER_TOKEN and SLACK_BOT_TOKEN (scopes chat:write and files:write).',
  tags: ['kubernetes', 'restart', 'logs', 'approval', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'k8s-crashloop-restart',
    name: 'Kubernetes crash loop: logs, then restart the deployment',
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
        id: 'last_words',
        type: 'enrich.logs',
        label: 'Previous log',
        config: {
          from: { type: 'kubernetes', cluster: 'prod', namespace: '{{ alert.labels.namespace }}', pod: '{{ alert.labels.pod }}', container: '{{ alert.labels.container }}', previous: true },
          lines: 200,
        },
      },
      {
        id: 'tell_oncall',
        type: 'notify.slack',
        label: 'Tell #ops, with the log',
        config: {
          auth: { type: 'bot', token: { secret: 'SLACK_BOT_TOKEN' }, channel: '#ops' },
          text: ':rotating_light: {{ alert.labels.namespace }}/{{ alert.labels.pod }} is crash looping. Its last log is in the thread; restarting deployment {{ alert.labels.deployment }} waits for approval.',
          attach: ['last_words'],
        },
      },
      {
        id: 'ask',
        type: 'approval.request',
        label: 'Ask on-call',
        config: {
          message:
            'Restart deployment {{ alert.labels.namespace }}/{{ alert.labels.deployment }}? Pod {{ alert.labels.pod }} is crash looping: {{ alert.summary }}\n\n' +
            'The end of what its container said before it died (the whole log is on the run page and in the Slack thread):\n' +
            '{{ !has(steps.last_words.attachment) ? "(the log could not be read)" : steps.last_words.attachment.content.size() > 1500 ? steps.last_words.attachment.content.substring(steps.last_words.attachment.content.size() - 1500) : steps.last_words.attachment.content }}',
          timeoutSeconds: 1800,
        },
      },
      {
        id: 'restart',
        type: 'action.kubernetes',
        label: 'Rollout restart',
        config: {
          cluster: 'prod',
          operation: { type: 'rollout-restart', resource: 'deployment', namespace: '{{ alert.labels.namespace }}', name: '{{ alert.labels.deployment }}' },
          every: 15,
          within: 600,
        },
      },
    ],
    edges: [
      { source: 'am', target: 'crash_loop' },
      { source: 'crash_loop', sourcePort: 'match', target: 'last_words' },
      { source: 'last_words', sourcePort: 'ok', target: 'tell_oncall' },
      { source: 'last_words', sourcePort: 'error', target: 'ask' },
      { source: 'tell_oncall', sourcePort: 'ok', target: 'ask' },
      { source: 'tell_oncall', sourcePort: 'error', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ],
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
  expectedPath: ['am', 'crash_loop', 'last_words', 'tell_oncall', 'ask', 'restart'],
};
