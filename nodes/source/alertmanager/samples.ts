import type { NodeSample } from '../../definition.js';

/**
 * One DiskFull alert as Alertmanager's webhook (payload version 4) sends it, written for Salve.
 * Its labels fit examples/disk-full.json: alertname and severity pass the flow's matchers,
 * instance and service fill its templates.
 */
function diskFull(status: 'firing' | 'resolved') {
  const labels = {
    alertname: 'DiskFull',
    instance: 'db1.example.internal:9100',
    service: 'postgresql',
    severity: 'critical',
    mountpoint: '/var',
  };
  return {
    version: '4',
    groupKey: '{}/{severity=~"critical|page"}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status,
    receiver: 'salve',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: labels,
    commonAnnotations: { summary: 'Filesystem /var on db1.example.internal:9100 is 96% full' },
    externalURL: 'http://alertmanager.example.internal:9093',
    alerts: [
      {
        status,
        labels,
        annotations: {
          summary: 'Filesystem /var on db1.example.internal:9100 is 96% full',
          description: 'Less than 4% of /var is left; postgresql stops writing when it is full.',
          runbook_url: 'https://runbooks.example.internal/disk-full',
        },
        startsAt: '2026-11-24T09:12:30.000Z',
        // Alertmanager's "no end yet" is Go's zero time.
        endsAt: status === 'resolved' ? '2026-11-24T09:47:00.000Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example.internal:9090/graph?g0.expr=node_filesystem_avail_bytes',
        fingerprint: 'd15cf011a0b2c3d4',
      },
    ],
  };
}

/** Test payloads for `source.alertmanager`. */
export const alertmanagerSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull firing',
    description: 'A critical DiskFull alert for postgresql on db1, as Alertmanager sends it when it starts firing.',
    payload: diskFull('firing'),
  },
  {
    name: 'DiskFull resolved',
    description: 'The same alert once it is resolved; a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('resolved'),
  },
];
