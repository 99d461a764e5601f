// The request every row sends: a 1-alert Alertmanager webhook v4 (~1 KB). `id` goes into the
// alert's fingerprint and instance, so no two requests are duplicates of each other.

export function alertBody(id) {
  return JSON.stringify({
    version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status: 'firing', receiver: 'salve',
    groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull', severity: 'critical' },
    commonAnnotations: { summary: 'Disk almost full' }, externalURL: 'http://alertmanager.example:9093',
    alerts: [{
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: `db${id}.example.internal:9100`, job: 'node', severity: 'critical', mountpoint: '/var', device: '/dev/sda1', service: 'postgresql' },
      annotations: { summary: `Filesystem /var on db${id} is 97% full`, description: 'Only 1.2 GiB left on /dev/sda1.', runbook_url: 'https://runbooks.example.com/disk-full' },
      startsAt: '2026-11-24T09:12:30.000Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=node_filesystem_avail_bytes', fingerprint: `fp${id}`,
    }],
  });
}

/** A per-run nonce: ids made with it never repeat those of an earlier run against the same database. */
export function runNonce() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}
