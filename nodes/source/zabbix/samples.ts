import type { NodeSample } from '../../definition.js';

/**
 * One DiskFull problem as Salve's Zabbix media type (docs/zabbix/salve-media-type.js) posts it,
 * written for Salve: the trigger is named DiskFull, the event name says what is wrong, the tags
 * carry the service and mount point.
 */
function diskFull(status: 'problem' | 'recovery') {
  const problem = status === 'problem';
  return {
    version: '1',
    eventId: '40127',
    eventValue: problem ? 1 : 0,
    eventUpdate: false,
    updateAction: '',
    updateMessage: '',
    recoveryEventId: problem ? '' : '40163',
    eventName: 'Filesystem /var on db1.example.internal is 96% full',
    severity: 5,
    severityName: 'Disaster',
    eventTimestamp: 1795511550, // 2026-11-24T09:12:30Z
    recoveryTimestamp: problem ? null : 1795513620, // 2026-11-24T09:47:00Z
    tags: [
      { tag: 'service', value: 'postgresql' },
      { tag: 'mountpoint', value: '/var' },
      { tag: 'component', value: 'storage' },
    ],
    opdata: 'Used: 96.1%',
    triggerId: '23811',
    triggerName: 'DiskFull',
    triggerStatus: problem ? 'PROBLEM' : 'OK',
    triggerDescription: 'Less than 4% of /var is left; postgresql stops writing when it is full.',
    host: 'db1.example.internal',
    hostIp: '10.0.4.21',
    zabbixUrl: 'https://zabbix.example.internal',
  };
}

/** Test payloads for `source.zabbix`. */
export const zabbixSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull problem',
    description: 'A Disaster-severity DiskFull problem on db1, as Salve\'s Zabbix media type posts it when the trigger fires.',
    payload: diskFull('problem'),
  },
  {
    name: 'DiskFull recovery',
    description: 'The recovery of the same problem ({EVENT.VALUE} 0); a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('recovery'),
  },
];
