import type { FlowTemplate } from './template.js';

const agentHeaders = { 'X-Agent-Token': { secret: 'AGENT_TOKEN' } };
const runBackup = 'http://agent.example.internal:9100/backups/{{ alert.labels.backup_job }}/run?host={{ alert.labels.instance }}';

/** BackupFailed: run the backup job again, once more after 15 minutes, then page a person. */
export const backupFailedRetry: FlowTemplate = {
  id: 'backup-failed-retry',
  title: 'Backup failed: retry, then page',
  description:
    'When Alertmanager reports BackupFailed, asks the backup agent to run the job named in the backup_job label again. ' +
    'Salve has no retry node, so the retry is written out: if that run fails, the flow waits 15 minutes (a durable delay) and tries a second time; ' +
    'if the second attempt fails too, it posts to the on-call chat. Each attempt is its own step with its own Idempotency-Key. ' +
    'Before enabling: point the URL at your backup agent, set ALERTMANAGER_TOKEN, AGENT_TOKEN and CHAT_WEBHOOK_TOKEN, ' +
    'and allow the agent in SALVE_ALLOWED_TARGETS.',
  tags: ['backup', 'retry', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'backup-failed-retry',
    name: 'Backup failed: retry, then page',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'backups', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      { id: 'backup_failed', type: 'condition.match', label: 'Backup failed?', config: { matchers: 'alertname="BackupFailed", backup_job=~".+"' } },
      { id: 'retry', type: 'action.http', label: 'Run the backup again', config: { method: 'POST', url: runBackup, headers: agentHeaders, timeoutSeconds: 60 } },
      { id: 'wait', type: 'action.delay', label: 'Wait 15 minutes', config: { seconds: 900 } },
      { id: 'retry_again', type: 'action.http', label: 'Second attempt', config: { method: 'POST', url: runBackup, headers: agentHeaders, timeoutSeconds: 60 } },
      {
        id: 'page',
        type: 'action.http',
        label: 'Tell on-call',
        config: {
          method: 'POST',
          url: 'https://chat.example.internal/hooks/oncall',
          headers: { Authorization: { secret: 'CHAT_WEBHOOK_TOKEN' } },
          body: { text: 'Backup {{ alert.labels.backup_job }} on {{ alert.labels.instance }} failed, and two re-runs did not start: {{ alert.summary }}' },
        },
      },
    ],
    edges: [
      { source: 'am', target: 'backup_failed' },
      { source: 'backup_failed', sourcePort: 'match', target: 'retry' },
      { source: 'retry', sourcePort: 'error', target: 'wait' },
      { source: 'wait', sourcePort: 'done', target: 'retry_again' },
      { source: 'retry_again', sourcePort: 'error', target: 'page' },
    ],
    settings: { allowedTargets: ['agent.example.internal:9100', 'chat.example.internal'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: 'Nightly postgres backup failed on db2',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="BackupFailed"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-backups',
      groupLabels: { alertname: 'BackupFailed' },
      commonLabels: { alertname: 'BackupFailed', severity: 'critical', backup_job: 'nightly-postgres', instance: 'db2.example.internal' },
      commonAnnotations: { summary: 'Backup nightly-postgres on db2.example.internal exited with status 2' },
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'BackupFailed', severity: 'critical', backup_job: 'nightly-postgres', instance: 'db2.example.internal' },
          annotations: {
            summary: 'Backup nightly-postgres on db2.example.internal exited with status 2',
            description: 'backup_last_exit_code is 2 since 02:14; the last good backup is 26 hours old.',
          },
          startsAt: '2026-12-05T02:15:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=backup_last_exit_code',
          fingerprint: 'b4c7up00f41l3d00',
        },
      ],
    },
  },
  expectedPath: ['am', 'backup_failed', 'retry'],
};
