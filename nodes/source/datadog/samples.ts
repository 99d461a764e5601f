import type { NodeSample } from '../../definition.js';

/**
 * A Datadog metric monitor named DiskFull, grouped by host, as the webhook sends it with the
 * payload template in docs/datadog/payload-template.json (every field of that template, rendered).
 * Written for Salve: ids, hosts and the organization are made up.
 */
function diskFull(state: 'triggered' | 'recovered') {
  const triggered = state === 'triggered';
  const eventId = triggered ? '7920145618230177351' : '7920166310284437702';
  const date = triggered ? '1795511550000' : '1795513620000';
  const transition = triggered ? 'Triggered' : 'Recovered';
  const title = `[${transition} on {host:db1.example.internal}] DiskFull`;
  const monitor = 'https://app.datadoghq.com/monitors/98765432';
  return {
    body:
      '%%%\n' +
      (triggered
        ? 'Filesystem /var on db1.example.internal is 96% full; postgresql stops writing when it is full.'
        : 'Filesystem /var on db1.example.internal is back under 95%.') +
      ' @webhook-salve\n\n' +
      `${triggered ? 'More' : 'Less'} than **0.95** on average during the last **5m**.\n\n- - -\n\n` +
      `[[Monitor Status](${monitor}?group=host%3Adb1.example.internal&event_id=${eventId}&link_source=monitor_notif)] · ` +
      `[[Edit Monitor](${monitor}/edit?link_source=monitor_notif)]\n%%%`,
    last_updated: date,
    event_type: 'query_alert_monitor',
    title,
    date,
    org: { id: '1000001', name: 'Example Ops' },
    id: eventId,
    alert_cycle_key: '7920145618230177351',
    alert_transition: transition,
    alert_type: triggered ? 'error' : 'success',
    alert_priority: 'P1',
    alert_id: '98765432',
    alert_title: title,
    alert_scope: 'host:db1.example.internal',
    alert_query: 'avg(last_5m):avg:system.disk.in_use{mountpoint:/var} by {host} > 0.95',
    alert_status: triggered
      ? 'system.disk.in_use over host:db1.example.internal was > 0.95 on average during the last 5m.'
      : 'system.disk.in_use over host:db1.example.internal was <= 0.95 on average during the last 5m.',
    alert_metric: 'system.disk.in_use',
    aggreg_key: '3c1f0e6b7a5d4e2f9a8b7c6d5e4f3a2b',
    hostname: 'db1.example.internal',
    link: `https://app.datadoghq.com/event/event?id=${eventId}`,
    tags: 'env:prod,host:db1.example.internal,monitor,service:postgresql',
  };
}

/** Test payloads for `source.datadog`. */
export const datadogSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull triggered',
    description: 'A P1 DiskFull monitor alerting on db1, as Datadog posts it with the recommended payload template.',
    payload: diskFull('triggered'),
  },
  {
    name: 'DiskFull recovered',
    description: 'The same monitor group recovering (same $ALERT_CYCLE_KEY); a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('recovered'),
  },
];
