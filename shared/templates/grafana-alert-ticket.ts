import type { FlowTemplate } from './template.js';

/** A critical or high Grafana alert: open a ticket in the ticket system's API. */
export const grafanaAlertTicket: FlowTemplate = {
  id: 'grafana-alert-ticket',
  title: 'Grafana alert: open a ticket',
  description:
    'When a Grafana alert rule with severity critical or high fires, opens a ticket through the ticket system\'s HTTP API with the alert\'s name, summary, ' +
    'description and fingerprint (use it as the external id so a repeat finds the same ticket). ' +
    'Before enabling: turn on the HMAC signature in the Grafana contact point with the secret in GRAFANA_SIGNING_SECRET; point the URL at your ticket API ' +
    '(tickets.example.internal is a placeholder) and put its credentials, e.g. "Bearer <token>", in TICKET_API_TOKEN; and adjust the queue and priorities.',
  tags: ['ticket', 'webhook', 'grafana'],
  flow: {
    format: 'salve.flow/v1',
    id: 'grafana-alert-ticket',
    name: 'Grafana alert: open a ticket',
    enabled: false,
    nodes: [
      { id: 'grafana', type: 'source.grafana', label: 'Grafana', config: { path: 'grafana-tickets', auth: { type: 'hmac', secret: { secret: 'GRAFANA_SIGNING_SECRET' } } } },
      { id: 'important', type: 'condition.match', label: 'Critical or high?', config: { matchers: 'severity=~"critical|high"' } },
      {
        id: 'ticket',
        type: 'action.http',
        label: 'Open a ticket',
        config: {
          method: 'POST',
          url: 'https://tickets.example.internal/api/v2/tickets',
          headers: { Authorization: { secret: 'TICKET_API_TOKEN' } },
          body: {
            queue: 'operations',
            title: '[{{ alert.severity }}] {{ alert.name }}',
            body: '{{ alert.summary }}\n\n{{ alert.description }}',
            priority: '{{ alert.severity == "critical" ? "P1" : "P2" }}',
            externalId: 'grafana:{{ alert.fingerprint }}',
          },
          expectStatus: [200, 201],
          timeoutSeconds: 15,
        },
      },
    ],
    edges: [
      { source: 'grafana', target: 'important' },
      { source: 'important', sourcePort: 'match', target: 'ticket' },
    ],
    settings: { allowedTargets: ['tickets.example.internal'] },
  },
  sample: {
    sourceNodeId: 'grafana',
    name: 'CheckoutErrorRate critical in Grafana',
    payload: {
      receiver: 'salve-tickets',
      status: 'firing',
      orgId: 1,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'CheckoutErrorRate', grafana_folder: 'Shop', service: 'checkout', severity: 'critical' },
          annotations: {
            summary: 'Checkout returns 5xx for 7.4% of requests',
            description: 'The error rate of the checkout service has been above 5% for 10 minutes.',
          },
          startsAt: '2026-12-05T14:20:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://grafana.example.internal/alerting/grafana/checkout-errors/view?orgId=1',
          fingerprint: '8e1d2c3b4a596877',
          silenceURL: 'https://grafana.example.internal/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DCheckoutErrorRate&orgId=1',
          dashboardURL: 'https://grafana.example.internal/d/shop-checkout/checkout?orgId=1',
          panelURL: 'https://grafana.example.internal/d/shop-checkout/checkout?orgId=1&viewPanel=2',
          values: { A: 7.4, B: 1 },
          valueString: "[ var='A' labels={service=checkout} value=7.4 ], [ var='B' labels={} value=1 ]",
        },
      ],
      groupLabels: { alertname: 'CheckoutErrorRate', grafana_folder: 'Shop' },
      commonLabels: { alertname: 'CheckoutErrorRate', grafana_folder: 'Shop', service: 'checkout', severity: 'critical' },
      commonAnnotations: { summary: 'Checkout returns 5xx for 7.4% of requests' },
      externalURL: 'https://grafana.example.internal/',
      version: '1',
      groupKey: '{}/{severity="critical"}:{alertname="CheckoutErrorRate", grafana_folder="Shop"}',
      truncatedAlerts: 0,
      title: '[FIRING:1] CheckoutErrorRate Shop (checkout critical)',
      state: 'alerting',
      message: '**Firing**\n\nValue: A=7.4, B=1\nLabels:\n - alertname = CheckoutErrorRate\n - service = checkout\n - severity = critical\n',
    },
  },
  expectedPath: ['grafana', 'important', 'ticket'],
};
