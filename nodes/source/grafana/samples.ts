import type { NodeSample } from '../../definition.js';

/**
 * One DiskFull alert as a Grafana (unified alerting) webhook contact point sends it, written for
 * Salve. Its labels fit examples/disk-full.json: alertname and severity pass the flow's matchers,
 * instance and service fill its templates.
 */
function diskFull(status: 'firing' | 'resolved') {
  const firing = status === 'firing';
  const labels = {
    alertname: 'DiskFull',
    grafana_folder: 'Infrastructure',
    instance: 'db1.example.internal:9100',
    mountpoint: '/var',
    service: 'postgresql',
    severity: 'critical',
  };
  const annotations = {
    summary: 'Filesystem /var on db1.example.internal:9100 is 96% full',
    description: 'Less than 4% of /var is left; postgresql stops writing when it is full.',
    runbook_url: 'https://runbooks.example.internal/disk-full',
  };
  const grafana = 'https://grafana.example.internal';
  const silenceURL = `${grafana}/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DDiskFull&matcher=instance%3Ddb1.example.internal%3A9100&orgId=1`;
  return {
    receiver: 'salve',
    status,
    orgId: 1,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: '2026-11-24T09:12:30Z',
        // Grafana's "no end yet" is Go's zero time.
        endsAt: firing ? '0001-01-01T00:00:00Z' : '2026-11-24T09:47:00Z',
        generatorURL: `${grafana}/alerting/grafana/disk-full-rule/view?orgId=1`,
        fingerprint: '3f1c9a27d4e8b650',
        silenceURL,
        dashboardURL: `${grafana}/d/node-disk/node-disk?orgId=1`,
        panelURL: `${grafana}/d/node-disk/node-disk?orgId=1&viewPanel=4`,
        values: { A: 96.1, B: 1 },
        valueString: "[ var='A' labels={instance=db1.example.internal:9100, mountpoint=/var} value=96.1 ], [ var='B' labels={} value=1 ]",
      },
    ],
    groupLabels: { alertname: 'DiskFull', grafana_folder: 'Infrastructure' },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: `${grafana}/`,
    version: '1',
    groupKey: '{}/{severity="critical"}:{alertname="DiskFull", grafana_folder="Infrastructure"}',
    truncatedAlerts: 0,
    title: firing ? '[FIRING:1] DiskFull Infrastructure (db1.example.internal:9100 postgresql critical)' : '[RESOLVED] DiskFull Infrastructure (db1.example.internal:9100 postgresql critical)',
    state: firing ? 'alerting' : 'ok',
    message: `**${firing ? 'Firing' : 'Resolved'}**\n\nValue: A=96.1, B=1\nLabels:\n - alertname = DiskFull\n - instance = db1.example.internal:9100\n - service = postgresql\n - severity = critical\nAnnotations:\n - summary = ${annotations.summary}\n`,
  };
}

/** Test payloads for `source.grafana`. */
export const grafanaSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull firing',
    description: 'A critical DiskFull alert for postgresql on db1, as a Grafana webhook contact point sends it when the rule starts firing.',
    payload: diskFull('firing'),
  },
  {
    name: 'DiskFull resolved',
    description: 'The same alert once Grafana sees it resolved (state "ok"); a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('resolved'),
  },
];
