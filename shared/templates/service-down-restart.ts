import type { FlowTemplate } from './template.js';

/** A Nagios service CRITICAL: ask a person, then restart it through the host's agent. */
export const serviceDownRestart: FlowTemplate = {
  id: 'service-down-restart',
  title: 'Service down: restart after approval',
  description:
    'When Nagios reports a HARD CRITICAL for nginx, php-fpm or redis-server, asks the on-call person whether to restart it (30 minutes to decide), ' +
    'then calls the agent on that host (port 9100) to restart the service; a failed restart is posted to the on-call chat. ' +
    'Only the services in the matcher can be restarted: extend that list deliberately. ' +
    'Before enabling: install salve-notify in Nagios with the token in NAGIOS_TOKEN, set AGENT_TOKEN and CHAT_WEBHOOK_TOKEN, ' +
    'and allow your hosts\' agents (e.g. *.example.internal:9100) in SALVE_ALLOWED_TARGETS and in the flow\'s allowed targets.',
  tags: ['service', 'restart', 'approval', 'nagios'],
  flow: {
    format: 'salve.flow/v1',
    id: 'service-down-restart',
    name: 'Service down: restart after approval',
    enabled: false,
    nodes: [
      { id: 'nagios', type: 'source.nagios', label: 'Nagios', config: { path: 'service-down', auth: { type: 'bearer', token: { secret: 'NAGIOS_TOKEN' } } } },
      { id: 'down', type: 'condition.match', label: 'Known service down?', config: { matchers: 'state="CRITICAL", service=~"nginx|php-fpm|redis-server"' } },
      {
        id: 'ask',
        type: 'approval.request',
        label: 'Ask on-call',
        config: { message: 'Restart {{ alert.labels.service }} on {{ alert.labels.host }}? Nagios: {{ alert.summary }}', timeoutSeconds: 1800 },
      },
      {
        id: 'restart',
        type: 'action.http',
        label: 'Restart the service',
        config: {
          method: 'POST',
          url: 'http://{{ alert.labels.host }}:9100/services/{{ alert.labels.service }}/restart',
          headers: { 'X-Agent-Token': { secret: 'AGENT_TOKEN' } },
          timeoutSeconds: 60,
        },
      },
      {
        id: 'restart_failed',
        type: 'action.http',
        label: 'Tell on-call',
        config: {
          method: 'POST',
          url: 'https://chat.example.internal/hooks/oncall',
          headers: { Authorization: { secret: 'CHAT_WEBHOOK_TOKEN' } },
          body: { text: 'Restarting {{ alert.labels.service }} on {{ alert.labels.host }} failed. Nagios still says: {{ alert.summary }}' },
        },
      },
    ],
    edges: [
      { source: 'nagios', target: 'down' },
      { source: 'down', sourcePort: 'match', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
      { source: 'restart', sourcePort: 'error', target: 'restart_failed' },
    ],
    settings: { allowedTargets: ['*.example.internal:9100', 'chat.example.internal'] },
  },
  sample: {
    sourceNodeId: 'nagios',
    name: 'nginx CRITICAL on web2 (connection refused)',
    payload: {
      sender: 'salve-notify/1',
      notification_type: 'PROBLEM',
      host_name: 'web2.example.internal',
      host_address: '10.0.7.12',
      host_state: 'UP',
      host_state_type: 'HARD',
      service_description: 'nginx',
      state: 'CRITICAL',
      state_type: 'HARD',
      plugin_output: 'connect to address 10.0.7.12 and port 80: Connection refused',
      long_plugin_output: '',
      timestamp: '1796104920',
      last_state_change: '1796104800',
      problem_id: '8812',
      last_problem_id: '8790',
      current_attempt: '3',
      max_attempts: '3',
      duration: '0d 0h 2m 0s',
      notification_number: '1',
      acknowledgement_author: '',
      acknowledgement_comment: '',
      contact_name: 'salve',
    },
  },
  expectedPath: ['nagios', 'down', 'ask', 'restart'],
};
