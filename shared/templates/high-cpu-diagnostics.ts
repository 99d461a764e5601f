import type { FlowTemplate } from './template.js';

/** A Datadog HighCPU monitor: capture the busiest processes over ssh and post them to chat. */
export const highCpuDiagnostics: FlowTemplate = {
  id: 'high-cpu-diagnostics',
  title: 'High CPU: capture diagnostics',
  description:
    'When the Datadog monitor HighCPU triggers for a host, runs a fixed, read-only command on that host over ssh (top and the busiest processes) ' +
    'and posts the output to the on-call chat, so whoever looks first sees what was running. ' +
    'The host name is passed to ssh as one argument after "--"; the remote command is written in the flow, never taken from the alert. ' +
    'Before enabling: the command user (SALVE_COMMAND_USER) needs an ssh key the hosts accept and their host keys in known_hosts; ' +
    'send the token in DATADOG_TOKEN from the webhook\'s custom headers, set CHAT_WEBHOOK_TOKEN, and rename HighCPU if your monitor is called otherwise.',
  tags: ['cpu', 'diagnostics', 'ssh', 'datadog'],
  flow: {
    format: 'salve.flow/v1',
    id: 'high-cpu-diagnostics',
    name: 'High CPU: capture diagnostics',
    enabled: false,
    nodes: [
      { id: 'datadog', type: 'source.datadog', label: 'Datadog', config: { path: 'high-cpu', auth: { type: 'bearer', token: { secret: 'DATADOG_TOKEN' } } } },
      { id: 'high_cpu', type: 'condition.expr', label: 'HighCPU on a host?', config: { expression: 'alert.name == "HighCPU" && "host" in alert.labels' } },
      {
        id: 'diagnose',
        type: 'action.shell',
        label: 'Capture top processes',
        config: {
          command: ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '--', '{{ alert.labels.host }}', 'top -b -n 1 -o %CPU | head -n 25'],
          timeoutSeconds: 30,
        },
      },
      {
        id: 'share',
        type: 'action.http',
        label: 'Post to on-call chat',
        config: {
          method: 'POST',
          url: 'https://chat.example.internal/hooks/oncall',
          headers: { Authorization: { secret: 'CHAT_WEBHOOK_TOKEN' } },
          // has(): a test (simulation) does not run the command, so there is no output to read then.
          body: { text: 'HighCPU on {{ alert.labels.host }}: {{ alert.summary }}\n{{ has(steps.diagnose.stdout) ? steps.diagnose.stdout : "(no output)" }}' },
        },
      },
    ],
    edges: [
      { source: 'datadog', target: 'high_cpu' },
      { source: 'high_cpu', sourcePort: 'true', target: 'diagnose' },
      { source: 'diagnose', sourcePort: 'ok', target: 'share' },
    ],
    settings: { allowedTargets: ['chat.example.internal'] },
  },
  sample: {
    sourceNodeId: 'datadog',
    name: 'HighCPU triggered on web4 (97% for 10 min)',
    payload: {
      body: '%%%\nCPU on web4.example.internal has been above 95% for 10 minutes. @webhook-salve\n%%%',
      last_updated: '1796105400000',
      event_type: 'query_alert_monitor',
      title: '[Triggered on {host:web4.example.internal}] HighCPU',
      date: '1796105400000',
      org: { id: '1000001', name: 'Example Ops' },
      id: '7930011223344556677',
      alert_cycle_key: '7930011223344556677',
      alert_transition: 'Triggered',
      alert_type: 'error',
      alert_priority: 'P2',
      alert_id: '55501234',
      alert_title: '[Triggered on {host:web4.example.internal}] HighCPU',
      alert_scope: 'host:web4.example.internal',
      alert_query: 'avg(last_10m):100 - avg:system.cpu.idle{*} by {host} > 95',
      alert_status: 'CPU over host:web4.example.internal was > 95 on average during the last 10m.',
      alert_metric: 'system.cpu.idle',
      aggreg_key: '9b2d4f6a8c0e1f3a5b7c9d1e2f4a6b8c',
      hostname: 'web4.example.internal',
      link: 'https://app.datadoghq.com/event/event?id=7930011223344556677',
      tags: 'env:prod,host:web4.example.internal,service:shop-web',
    },
  },
  expectedPath: ['datadog', 'high_cpu', 'diagnose'],
};
