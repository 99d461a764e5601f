import { describe, expect, it } from 'vitest';
import { alertLinks, displayLabels, keyLabels } from './alert-labels.js';

const labels = {
  alertname: 'DiskFull',
  device: '/dev/sda1',
  instance: '127.0.0.1:9100',
  job: 'node',
  mountpoint: '/var',
  service: 'postgresql',
  severity: 'critical',
  team: 'db',
};

describe('keyLabels', () => {
  it('picks where the alert fires first', () => {
    expect(keyLabels({ labels })).toEqual([
      ['instance', '127.0.0.1:9100'],
      ['service', 'postgresql'],
    ]);
    expect(keyLabels({ labels }, 3).at(-1)).toEqual(['job', 'node']);
  });

  it('is empty without labels', () => {
    expect(keyLabels({ labels: { alertname: 'X' } })).toEqual([]);
    expect(keyLabels(undefined)).toEqual([]);
  });
});

describe('displayLabels', () => {
  it('leaves out name and severity, key labels first then A–Z', () => {
    expect(displayLabels({ labels }).map(([n]) => n)).toEqual(['instance', 'service', 'job', 'mountpoint', 'device', 'team']);
  });
});

describe('alertLinks', () => {
  it('orders runbook first and drops anything that is not http(s)', () => {
    expect(
      alertLinks({ links: { source: 'http://prom/graph', runbook: 'https://runbooks/disk', dashboard: 'javascript:alert(1)' } }),
    ).toEqual([
      { label: 'Runbook', href: 'https://runbooks/disk' },
      { label: 'Source', href: 'http://prom/graph' },
    ]);
  });
});
