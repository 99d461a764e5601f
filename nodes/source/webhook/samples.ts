import type { NodeSample } from '../../definition.js';
import type { WebhookMapping } from './definition.js';

/**
 * The mapping the webhook samples are written for: one field of the body per alert field.
 * A sensible starting point for a sender that posts flat JSON alerts.
 */
export const webhookSampleMapping = {
  name: 'event.name',
  status: 'event.status',
  severity: 'event.severity',
  summary: 'event.summary',
  fingerprint: 'event.id',
  labels: 'event.labels',
  startsAt: 'event.startsAt',
} as const satisfies WebhookMapping;

function diskFull(status: 'firing' | 'resolved') {
  return {
    id: 'disk-full-db1-var',
    name: 'DiskFull',
    status,
    severity: 'critical',
    summary: 'Filesystem /var on db1.example.internal is 96% full',
    startsAt: '2026-11-24T09:12:30Z',
    labels: { instance: 'db1.example.internal:9100', service: 'postgresql', mountpoint: '/var' },
  };
}

const fits = 'Fits the mapping name = event.name, status = event.status, severity = event.severity, summary = event.summary, fingerprint = event.id, labels = event.labels, startsAt = event.startsAt.';

/** Test payloads for `source.webhook`. */
export const webhookSamples: readonly NodeSample[] = [
  {
    name: 'Generic alert firing',
    description: `A flat JSON alert: DiskFull on db1 for postgresql. ${fits}`,
    payload: diskFull('firing'),
  },
  {
    name: 'Generic alert resolved',
    description: `The same alert with "status": "resolved". ${fits}`,
    payload: diskFull('resolved'),
  },
];
