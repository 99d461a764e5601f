import type { NodeSample } from '../../definition.js';

/** Test payloads for `source.manual`: what a person posts with Run now (or POST /api/flows/:id/run). */
export const manualSamples: readonly NodeSample[] = [
  {
    name: 'Clean up db1 by hand',
    description: 'A person starts the flow for the /var filesystem of postgresql on db1, with labels the flow can match and template.',
    payload: {
      name: 'DiskFull',
      severity: 'warning',
      summary: 'Clean up /var on db1 by hand',
      labels: { alertname: 'DiskFull', instance: 'db1.example.internal:9100', service: 'postgresql', mountpoint: '/var', severity: 'warning' },
    },
  },
];
