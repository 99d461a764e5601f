import type { FlowTemplate } from './template.js';

/** A flapping check: escalate to a person through PagerDuty's Events API instead of remediating. */
export const flappingEscalate: FlowTemplate = {
  id: 'flapping-escalate',
  title: 'Flapping alert: escalate to on-call',
  description:
    'When Alertmanager reports ServiceFlapping (a Prometheus rule such as changes(probe_success[30m]) > 4: the check keeps going up and down), ' +
    'no automatic fix is safe, so it escalates: it triggers a PagerDuty incident (Events API v2), deduplicated on the alert\'s fingerprint, with the alert\'s labels as details. ' +
    'Salve does not count flaps itself: the rule decides what flapping means. ' +
    'Before enabling: set PAGERDUTY_ROUTING_KEY (the integration key of your service) with SALVE_SECRET_PAGERDUTY_ROUTING_KEY_HOSTS=events.pagerduty.com, ' +
    'and ALERTMANAGER_TOKEN.',
  tags: ['flapping', 'escalate', 'pagerduty', 'alertmanager'],
  flow: {
    format: 'salve.flow/v1',
    id: 'flapping-escalate',
    name: 'Flapping alert: escalate to on-call',
    enabled: false,
    nodes: [
      { id: 'am', type: 'source.alertmanager', label: 'Alertmanager', config: { path: 'flapping', auth: { type: 'bearer', token: { secret: 'ALERTMANAGER_TOKEN' } } } },
      { id: 'flapping', type: 'condition.match', label: 'Flapping?', config: { matchers: 'alertname="ServiceFlapping"' } },
      {
        id: 'escalate',
        type: 'notify.pagerduty',
        label: 'Page on-call',
        config: {
          routingKey: { secret: 'PAGERDUTY_ROUTING_KEY' },
          action: 'trigger',
          dedupKey: 'salve-flapping-{{ alert.fingerprint }}',
          summary: 'Flapping: {{ alert.summary }}',
          severity: 'critical',
          timeoutSeconds: 15,
        },
      },
    ],
    edges: [
      { source: 'am', target: 'flapping' },
      { source: 'flapping', sourcePort: 'match', target: 'escalate' },
    ],
    settings: { allowedTargets: ['events.pagerduty.com'] },
  },
  sample: {
    sourceNodeId: 'am',
    name: 'payments-api probe flapped 7 times in 30 min',
    payload: {
      version: '4',
      groupKey: '{}:{alertname="ServiceFlapping"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'salve-flapping',
      groupLabels: { alertname: 'ServiceFlapping' },
      commonLabels: { alertname: 'ServiceFlapping', severity: 'warning', instance: 'https://payments-api.example.internal/health', job: 'blackbox-http' },
      commonAnnotations: { summary: 'https://payments-api.example.internal/health changed state 7 times in 30 minutes' },
      externalURL: 'http://alertmanager.example.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'ServiceFlapping', severity: 'warning', instance: 'https://payments-api.example.internal/health', job: 'blackbox-http' },
          annotations: { summary: 'https://payments-api.example.internal/health changed state 7 times in 30 minutes' },
          startsAt: '2026-12-05T16:45:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=changes%28probe_success%5B30m%5D%29',
          fingerprint: 'f1a9f1a9f1a9f1a9',
        },
      ],
    },
  },
  expectedPath: ['am', 'flapping', 'escalate'],
};
