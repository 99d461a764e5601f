import type { FlowTemplate } from './template.js';

/** A TLS certificate close to expiry (blackbox exporter): tell the team that owns it. */
export const certificateExpiryNotify: FlowTemplate = {
  id: 'certificate-expiry-notify',
  title: 'Certificate expiry: notify the owners',
  description:
    'When Alertmanager reports TLSCertificateExpiringSoon (a Prometheus rule on the blackbox exporter\'s probe_ssl_earliest_cert_expiry), ' +
    'posts the site, the days left and the runbook to the chat channel of the team in the alert\'s team label. It changes nothing itself: renewing stays a person\'s job. ' +
    'Before enabling: set ALERTMANAGER_TOKEN and CHAT_WEBHOOK_TOKEN, point the URL at your chat webhook, and give the rule the labels instance and team ' +
    'and the annotation days_left.',
  tags: ['certificate', 'tls', 'notify', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'certificate-expiry-notify',
    name: 'Certificate expiry: notify the owners',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'certificates', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      { id: 'expiring', type: 'condition.match', label: 'Certificate expiring?', config: { matchers: 'alertname="TLSCertificateExpiringSoon"' } },
      {
        id: 'notify',
        type: 'action.http',
        label: 'Notify the team',
        config: {
          method: 'POST',
          url: 'https://chat.example.internal/hooks/team/{{ alert.labels.team }}',
          headers: { Authorization: { secret: 'CHAT_WEBHOOK_TOKEN' } },
          body: {
            text: 'The TLS certificate of {{ alert.labels.instance }} expires in {{ alert.annotations.days_left }} days. {{ alert.summary }}',
            severity: '{{ alert.severity }}',
          },
          timeoutSeconds: 10,
        },
      },
    ],
    edges: [
      { source: 'am', target: 'expiring' },
      { source: 'expiring', sourcePort: 'match', target: 'notify' },
    ],
    settings: { allowedTargets: ['chat.example.internal'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: 'Certificate of shop.example.com expires in 9 days',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="TLSCertificateExpiringSoon"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-certificates',
      groupLabels: { alertname: 'TLSCertificateExpiringSoon' },
      commonLabels: { alertname: 'TLSCertificateExpiringSoon', severity: 'warning', job: 'blackbox-https', team: 'web' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: {
            alertname: 'TLSCertificateExpiringSoon',
            severity: 'warning',
            instance: 'https://shop.example.com',
            job: 'blackbox-https',
            team: 'web',
          },
          annotations: {
            summary: 'TLS certificate for https://shop.example.com expires on 2026-12-14',
            days_left: '9',
            runbook_url: 'https://runbooks.example.internal/tls-renewal',
          },
          startsAt: '2026-12-05T06:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=probe_ssl_earliest_cert_expiry',
          fingerprint: '5be2c01f7d93a468',
        },
      ],
    },
  },
  expectedPath: ['am', 'expiring', 'notify'],
};
