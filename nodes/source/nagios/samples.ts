import type { NodeSample } from '../../definition.js';

/**
 * A DiskFull service notification as docs/nagios/salve-notify posts it from Nagios' macros,
 * written for Salve. The service is called DiskFull so the sample fits examples/disk-full.json.
 */
function diskFull(status: 'firing' | 'resolved') {
  const firing = status === 'firing';
  return {
    sender: 'salve-notify/1',
    notification_type: firing ? 'PROBLEM' : 'RECOVERY',
    host_name: 'db1.example.internal',
    host_address: '10.0.4.21',
    host_state: 'UP',
    host_state_type: 'HARD',
    service_description: 'DiskFull',
    state: firing ? 'CRITICAL' : 'OK',
    state_type: 'HARD',
    plugin_output: firing ? 'DISK CRITICAL - free space: /var 1210 MB (4% inode=91%):' : 'DISK OK - free space: /var 20480 MB (62% inode=95%):',
    long_plugin_output: firing ? '/var is used by "postgresql"\\nless than 5% left' : '',
    timestamp: firing ? '1795511550' : '1795513620',
    last_state_change: firing ? '1795511400' : '1795513620',
    problem_id: firing ? '4711' : '0',
    last_problem_id: firing ? '4702' : '4711',
    current_attempt: '3',
    max_attempts: '3',
    duration: firing ? '0d 0h 2m 30s' : '0d 0h 0m 0s',
    notification_number: firing ? '1' : '0',
    acknowledgement_author: '',
    acknowledgement_comment: '',
    contact_name: 'salve',
  };
}

/** Test payloads for `source.nagios`. */
export const nagiosSamples: readonly NodeSample[] = [
  {
    name: 'DiskFull problem',
    description: 'A HARD CRITICAL DiskFull service problem on db1, as salve-notify posts a Nagios PROBLEM notification.',
    payload: diskFull('firing'),
  },
  {
    name: 'DiskFull recovery',
    description: 'The same service recovering (RECOVERY, OK); a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFull('resolved'),
  },
];
