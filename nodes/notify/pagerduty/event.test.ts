import { describe, expect, it } from 'vitest';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import type { Resolved } from '../../executor.js';
import { PagerDutyNotifyConfigSchema, type PagerDutyNotifyConfig } from './definition.js';
import { pagerDutyEvent } from './event.js';

/** A parsed config with the routing key as the executor receives it (the secret resolved). */
const config = (input: Record<string, unknown> = {}) =>
  ({ ...PagerDutyNotifyConfigSchema.parse({ routingKey: { secret: 'PD_ROUTING_KEY' }, ...input }), routingKey: 'R0UTING-KEY' }) as Resolved<PagerDutyNotifyConfig>;
const vars = (alert = testAlert()) => ({ ...testContext().vars, alert });

describe('the PagerDuty event a step sends', () => {
  it('triggers with the alert: fingerprint as dedup key, name and summary, instance as source, mapped severity, labels as details', () => {
    const event = pagerDutyEvent(config(), vars(testAlert({ links: { runbook: 'https://wiki.example.internal/disk', silence: 'javascript:alert(1)' } })));
    expect(event).toEqual({
      routing_key: 'R0UTING-KEY',
      event_action: 'trigger',
      dedup_key: 'a1b2c3d4e5f60708',
      client: 'Salve',
      payload: {
        summary: 'DiskFull: Disk almost full on db1',
        source: 'db1:9100',
        severity: 'critical',
        timestamp: '2026-11-24T01:00:00.000Z',
        custom_details: {
          alertname: 'DiskFull',
          instance: 'db1:9100',
          service: 'postgresql',
          severity: 'critical',
          salve: { flow: 'disk-full', execution: 'ex_test' },
        },
      },
      // Only web links: the alert chooses them, and PagerDuty shows them as links.
      links: [{ href: 'https://wiki.example.internal/disk', text: 'Runbook' }],
    });
  });

  it('links the incident to the run in Salve when the server knows its public address', () => {
    const runUrl = 'https://salve.example.internal/#/runs/ex_test';
    const event = pagerDutyEvent(config(), vars(testAlert({ links: { runbook: 'https://wiki.example.internal/disk' } })), runUrl);
    expect(event.links).toEqual([
      { href: runUrl, text: 'Salve run' },
      { href: 'https://wiki.example.internal/disk', text: 'Runbook' },
    ]);
    expect(event.client_url).toBe(runUrl);
    expect(pagerDutyEvent(config({ action: 'resolve' }), vars(), runUrl).client_url).toBe(runUrl);
    expect(pagerDutyEvent(config(), vars())).not.toHaveProperty('client_url');
  });

  it('maps every alert severity to one PagerDuty knows, unless the config names one', () => {
    const sev = (severity: 'critical' | 'high' | 'warning' | 'info' | 'unknown', input = {}) =>
      pagerDutyEvent(config(input), vars(testAlert({ severity }))).payload!.severity;
    expect([sev('critical'), sev('high'), sev('warning'), sev('info'), sev('unknown')]).toEqual(['critical', 'error', 'warning', 'info', 'error']);
    expect(sev('critical', { severity: 'info' })).toBe('info');
  });

  it('uses what the config says, and cuts values PagerDuty would refuse as too long', () => {
    const event = pagerDutyEvent(
      config({ dedupKey: 'k'.repeat(400), summary: 's'.repeat(2000), source: 'db1', component: 'postgres', group: 'storage', class: 'disk', customDetails: { freed: '12G' } }),
      vars(),
    );
    expect(event.dedup_key).toHaveLength(255);
    expect(event.payload).toMatchObject({ source: 'db1', component: 'postgres', group: 'storage', class: 'disk', custom_details: { freed: '12G' } });
    expect(event.payload!.summary).toHaveLength(1024);
  });

  it('acknowledges and resolves by dedup key alone, so they reach the incident the trigger opened', () => {
    for (const action of ['acknowledge', 'resolve'] as const) {
      expect(pagerDutyEvent(config({ action }), vars())).toEqual({ routing_key: 'R0UTING-KEY', event_action: action, dedup_key: 'a1b2c3d4e5f60708', client: 'Salve' });
    }
  });

  it('falls back to the host label, then "salve", for the source; an alert without summary is titled by its name', () => {
    const noInstance = testAlert({ labels: { host: 'web3' }, summary: '' });
    expect(pagerDutyEvent(config(), vars(noInstance)).payload).toMatchObject({ source: 'web3', summary: 'DiskFull' });
    expect(pagerDutyEvent(config(), vars(testAlert({ labels: {} }))).payload!.source).toBe('salve');
  });
});

describe('the notify.pagerduty config', () => {
  it('takes the routing key only as a secret, and the Events API URL only as a written-out origin', () => {
    const issues = (input: Record<string, unknown>) =>
      PagerDutyNotifyConfigSchema.safeParse({ routingKey: { secret: 'PD_ROUTING_KEY' }, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ routingKey: 'R0UTING-KEY' })[0]).toMatch(/^routingKey: /);
    expect(issues({ baseUrl: 'https://{{ alert.labels.pd }}/' })[0]).toMatch(/^baseUrl: must be http/);
    expect(issues({ baseUrl: 'https://events.eu.pagerduty.com/v2/enqueue' })[0]).toMatch(/^baseUrl: /);
    expect(issues({ action: 'page' })).toEqual(['action: must be trigger, acknowledge or resolve']);
    expect(issues({ baseUrl: 'https://events.eu.pagerduty.com' })).toEqual([]);
  });
});
