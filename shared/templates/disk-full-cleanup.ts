import type { FlowTemplate } from './template.js';

/** DiskFull from Alertmanager: ask the host agent to clean up old files; tell the on-call channel when it cannot. */
export const diskFullCleanup: FlowTemplate = {
  id: 'disk-full-cleanup',
  title: 'Disk full: clean up old files',
  description:
    'When Alertmanager reports DiskFull (critical or warning), asks the host agent at agent.example.internal:9100 to delete files older than 7 days ' +
    'under /var/tmp and /var/log/journal on the alert\'s instance and mount point. If the clean-up fails, it posts to the on-call chat webhook. ' +
    'Before enabling: point the agent URL at your agent, set the secrets ALERTMANAGER_TOKEN, AGENT_TOKEN and CHAT_WEBHOOK_TOKEN ' +
    '(with SALVE_SECRET_<NAME>_HOSTS naming the hosts each may go to), and allow the agent in SALVE_ALLOWED_TARGETS. ' +
    'The alert rule must carry the node_exporter labels instance and mountpoint.',
  tags: ['disk', 'clean-up', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'disk-full-cleanup',
    name: 'Disk full: clean up old files',
    enabled: false,
    nodes: [
      {
        id: 'am',
        type: 'source.alertmanager',
        label: 'Alertmanager',
        config: { path: 'disk-full', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } },
      },
      { id: 'disk_full', type: 'condition.match', label: 'Disk full?', config: { matchers: 'alertname="DiskFull", severity=~"critical|warning"' } },
      {
        id: 'clean',
        type: 'action.http',
        label: 'Clean up old files',
        config: {
          method: 'POST',
          url: 'http://agent.example.internal:9100/cleanup?host={{ alert.labels.instance }}',
          headers: { 'X-Agent-Token': { secret: 'AGENT_TOKEN' } },
          body: { mountpoint: '{{ alert.labels.mountpoint }}', paths: ['/var/tmp', '/var/log/journal'], olderThanDays: 7 },
          timeoutSeconds: 120,
        },
      },
      {
        id: 'cleanup_failed',
        type: 'action.http',
        label: 'Tell on-call',
        config: {
          method: 'POST',
          url: 'https://chat.example.internal/hooks/oncall',
          headers: { Authorization: { secret: 'CHAT_WEBHOOK_TOKEN' } },
          body: { text: 'Disk clean-up on {{ alert.labels.instance }} ({{ alert.labels.mountpoint }}) failed: {{ alert.summary }}' },
          timeoutSeconds: 10,
        },
      },
    ],
    edges: [
      { source: 'am', target: 'disk_full' },
      { source: 'disk_full', sourcePort: 'match', target: 'clean' },
      { source: 'clean', sourcePort: 'error', target: 'cleanup_failed' },
    ],
    settings: { allowedTargets: ['agent.example.internal:9100', 'chat.example.internal'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: 'DiskFull on app3 (/var/lib 94% full)',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-disk',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull', severity: 'warning', instance: 'app3.example.internal:9100', mountpoint: '/var/lib', job: 'node' },
      commonAnnotations: { summary: '/var/lib on app3.example.internal:9100 is 94% full' },
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', severity: 'warning', instance: 'app3.example.internal:9100', mountpoint: '/var/lib', job: 'node' },
          annotations: {
            summary: '/var/lib on app3.example.internal:9100 is 94% full',
            description: 'node_filesystem_avail_bytes has been under 6% for 10 minutes.',
          },
          startsAt: '2026-12-01T03:40:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=node_filesystem_avail_bytes',
          fingerprint: 'a41c7e0d92b35f18',
        },
      ],
    },
  },
  expectedPath: ['am', 'disk_full', 'clean'],
};
