import type { FlowTemplate } from './template.js';

/** Disk filling up on a node: silence the alert, run a clean-up Job, lift the silence when it ends. */
export const k8sDiskPressureCleanup: FlowTemplate = {
  id: 'k8s-disk-pressure-cleanup',
  title: 'Kubernetes disk pressure: clean-up Job under a silence',
  description:
    'When Alertmanager reports NodeFilesystemSpaceFillingUp for a node, silences that alert in Alertmanager for 30 minutes (the comment links the run), runs ' +
    'a clean-up Job (an image of yours that deletes old logs and caches on the node\'s path, with the node and mount point as arguments) and waits for it up to ' +
    '15 minutes; when the Job succeeded the silence is lifted at once, so a disk that fills again pages; if it failed or is still running, on-call is paged ' +
    'with its log. Before enabling: replace the image and command with your clean-up tool; name the cluster "prod" in SALVE_KUBERNETES_CLUSTERS with the ' +
    '"maintenance" namespace (its service account creates jobs, lists pods, reads pods/log); point the Alertmanager URL at yours and allow it in ' +
    'SALVE_ALLOWED_TARGETS; set ALERTMANAGER_TOKEN and PD_ROUTING_KEY.',
  tags: ['kubernetes', 'disk', 'job', 'silence', 'alertmanager', 'pagerduty'],
  flow: {
    format: 'salve.flow/v1',
    id: 'k8s-disk-pressure-cleanup',
    name: 'Kubernetes disk pressure: clean-up Job under a silence',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'kubernetes-disk', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      { id: 'filling', type: 'condition.match', label: 'Node disk filling up?', config: { matchers: 'alertname="NodeFilesystemSpaceFillingUp", node=~".+", mountpoint=~".+"' } },
      {
        id: 'silence_alert',
        type: 'alertmanager.silence',
        label: 'Silence while cleaning',
        config: { url: 'http://alertmanager.example.internal:9093', durationMinutes: 30, comment: 'Salve is cleaning up {{ alert.labels.mountpoint }} on {{ alert.labels.node }}' },
      },
      {
        id: 'clean',
        type: 'action.kubernetes',
        label: 'Clean-up Job',
        config: {
          cluster: 'prod',
          operation: {
            type: 'run-job',
            namespace: 'maintenance',
            image: 'registry.example.internal/ops/node-disk-clean:1.0',
            command: ['node-disk-clean', '--node', '{{ alert.labels.node }}', '--path', '{{ alert.labels.mountpoint }}', '--older-than', '7d'],
            activeDeadlineSeconds: 900,
            logLines: 100,
          },
          every: 20,
          within: 900,
        },
      },
      { id: 'lift', type: 'alertmanager.silence', label: 'Lift the silence', config: { action: 'expire', url: 'http://alertmanager.example.internal:9093', silenceId: '{{ has(steps.silence_alert.silenceId) ? steps.silence_alert.silenceId : "" }}' } },
      {
        id: 'page',
        type: 'notify.pagerduty',
        label: 'Page on-call',
        config: {
          routingKey: { secret: 'PD_ROUTING_KEY' },
          summary: 'Disk clean-up on {{ alert.labels.node }} ({{ alert.labels.mountpoint }}) did not finish: {{ has(steps.clean.message) ? steps.clean.message : "no answer" }}',
          customDetails: { log: '{{ has(steps.clean.logs) ? steps.clean.logs : "(no log)" }}' },
        },
      },
    ],
    edges: [
      { source: 'am', target: 'filling' },
      { source: 'filling', sourcePort: 'match', target: 'silence_alert' },
      { source: 'silence_alert', sourcePort: 'ok', target: 'clean' },
      { source: 'silence_alert', sourcePort: 'error', target: 'clean' },
      { source: 'clean', sourcePort: 'ok', target: 'lift' },
      { source: 'clean', sourcePort: 'failed', target: 'page' },
      { source: 'clean', sourcePort: 'timeout', target: 'page' },
      { source: 'clean', sourcePort: 'error', target: 'page' },
    ],
    settings: { allowedTargets: ['alertmanager.example.internal:9093'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: '/var on worker-3 fills up within 4 hours',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="NodeFilesystemSpaceFillingUp"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-kubernetes-disk',
      groupLabels: { alertname: 'NodeFilesystemSpaceFillingUp' },
      commonLabels: { alertname: 'NodeFilesystemSpaceFillingUp', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'NodeFilesystemSpaceFillingUp', severity: 'warning', node: 'worker-3', instance: '10.0.4.13:9100', mountpoint: '/var', fstype: 'ext4', device: '/dev/nvme0n1p3' },
          annotations: {
            summary: 'Filesystem is predicted to run out of space within the next 4 hours.',
            runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/node/nodefilesystemspacefillingup',
          },
          startsAt: '2026-12-05T07:15:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=node_filesystem_avail_bytes',
          fingerprint: 'd15cfa11d15cfa11',
        },
      ],
    },
  },
  expectedPath: ['am', 'filling', 'silence_alert', 'clean', 'lift'],
};
