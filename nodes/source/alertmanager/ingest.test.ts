import { describe, expect, it } from 'vitest';
import { ValidationError, formatIssues } from '../../../shared/errors.js';
import { AlertmanagerConfigSchema, alertmanagerSource } from './definition.js';
import { alertmanagerAdapter, normalizeAlertmanager } from './ingest.js';

/** A firing group of two alerts plus one resolved alert, as Alertmanager v4 would post it. */
function payload() {
  return {
    version: '4',
    groupKey: '{}/{severity="page"}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', job: 'node' },
    commonAnnotations: {},
    externalURL: 'http://am.example.internal:9093/',
    someFieldFromANewerAlertmanager: { x: 1 },
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskFull', instance: 'db1:9100', job: 'node', severity: 'page' },
        annotations: {
          summary: 'Disk almost full on db1',
          runbook_url: 'https://runbooks.example/disk',
          dashboard_url: 'https://grafana.example/d/disk',
        },
        startsAt: '2026-11-24T01:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prom.example.internal:9090/graph?g0.expr=disk',
        fingerprint: 'aaaa000000000001',
      },
      {
        status: 'firing',
        labels: { job: 'node', alertname: 'DiskFull', instance: 'db2:9100', severity: 'warn' },
        annotations: { description: 'Only 3% left on db2' },
        startsAt: '2026-11-24T01:05:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
      },
      {
        status: 'resolved',
        labels: { alertname: 'DiskFull', instance: 'db3:9100', job: 'node' },
        annotations: {},
        startsAt: '2026-11-24T00:00:00.000Z',
        endsAt: '2026-11-24T00:30:00.000Z',
        generatorURL: 'http://prom.example.internal:9090/graph',
        fingerprint: 'aaaa000000000003',
      },
    ],
  };
}

function issuesOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return formatIssues((error as ValidationError).issues);
  }
  throw new Error('expected a ValidationError');
}

describe('normalizeAlertmanager', () => {
  it('turns each entry of alerts[] into one normalized alert', () => {
    const [a, b, c] = normalizeAlertmanager(payload());
    expect(a).toEqual({
      source: 'alertmanager',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: 'Disk almost full on db1',
      labels: { alertname: 'DiskFull', instance: 'db1:9100', job: 'node', severity: 'page' },
      annotations: {
        summary: 'Disk almost full on db1',
        runbook_url: 'https://runbooks.example/disk',
        dashboard_url: 'https://grafana.example/d/disk',
      },
      startsAt: '2026-11-24T01:00:00.000Z',
      endsAt: '',
      fingerprint: 'aaaa000000000001',
      links: {
        source: 'http://prom.example.internal:9090/graph?g0.expr=disk',
        runbook: 'https://runbooks.example/disk',
        dashboard: 'https://grafana.example/d/disk',
        silence:
          'http://am.example.internal:9093/#/silences/new?filter=' +
          encodeURIComponent('{alertname="DiskFull", instance="db1:9100", job="node", severity="page"}'),
      },
      description: '',
      dedupKey: JSON.stringify(['alertmanager', 'aaaa000000000001', '2026-11-24T01:00:00.000Z', 'firing']),
      // The group's own entry, for fields Salve does not map.
      raw: payload().alerts[0],
    });
    // Summary falls back to the description, severity words are normalized.
    expect(b!.summary).toBe('Only 3% left on db2');
    expect(b!.severity).toBe('warning');
    expect(b!.links.source).toBeUndefined();
    // No fingerprint in the payload: a stable hash of the sorted labels.
    expect(b!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const reordered = payload();
    reordered.alerts[1]!.labels = { severity: 'warn', instance: 'db2:9100', alertname: 'DiskFull', job: 'node' };
    expect(normalizeAlertmanager(reordered)[1]!.fingerprint).toBe(b!.fingerprint);
    expect(normalizeAlertmanager(payload())[0]!.fingerprint).not.toBe(b!.fingerprint);

    expect(c).toMatchObject({ status: 'resolved', severity: 'unknown', summary: 'DiskFull', endsAt: '2026-11-24T00:30:00.000Z' });
  });

  it('names the missing or wrong field', () => {
    const noLabels = payload() as any;
    delete noLabels.alerts[1].labels;
    expect(issuesOf(() => normalizeAlertmanager(noLabels))).toContain('alerts[1].labels: ');

    const noName = payload() as any;
    delete noName.alerts[0].labels.alertname;
    expect(issuesOf(() => normalizeAlertmanager(noName))).toBe('alerts[0].labels: needs an "alertname" label');

    const badStatus = payload() as any;
    badStatus.alerts[2].status = 'pending';
    expect(issuesOf(() => normalizeAlertmanager(badStatus))).toBe('alerts[2].status: must be "firing" or "resolved"');

    const numberLabel = payload() as any;
    numberLabel.alerts[0].labels.cpu = 3;
    expect(issuesOf(() => normalizeAlertmanager(numberLabel))).toContain('alerts[0].labels.cpu: ');

    const noStart = payload() as any;
    delete noStart.alerts[0].startsAt;
    expect(issuesOf(() => normalizeAlertmanager(noStart))).toContain('alerts[0].startsAt: ');

    expect(issuesOf(() => normalizeAlertmanager({ version: '4' }))).toContain('alerts: ');
    expect(issuesOf(() => normalizeAlertmanager(null))).toContain('(root)');
    expect(issuesOf(() => normalizeAlertmanager({ ...payload(), version: '5' }))).toContain('version: unsupported');
  });

  it('enforces the size limits, naming the field', () => {
    const many = payload();
    many.alerts = Array.from({ length: 1001 }, () => payload().alerts[0]!);
    expect(issuesOf(() => normalizeAlertmanager(many))).toBe('alerts: too many alerts: 1001 (at most 1000 per delivery)');
    expect(normalizeAlertmanager({ ...many, alerts: many.alerts.slice(0, 1000) })).toHaveLength(1000);

    const labels = payload();
    labels.alerts[0]!.labels = Object.fromEntries([['alertname', 'X'], ...Array.from({ length: 256 }, (_, i) => [`l${i}`, 'v'])]);
    expect(issuesOf(() => normalizeAlertmanager(labels))).toBe('alerts[0].labels: too many labels: 257 (at most 256)');

    const long = payload();
    long.alerts[1]!.annotations = { description: 'é'.repeat(2049) }; // 4098 bytes in UTF-8
    expect(issuesOf(() => normalizeAlertmanager(long))).toBe('alerts[1].annotations.description: value is longer than 4096 bytes');
    long.alerts[1]!.annotations = { description: 'é'.repeat(2048) };
    expect(normalizeAlertmanager(long)[1]!.summary).toHaveLength(2048);
  });

  it('leaves out the silence link when externalURL is unusable', () => {
    expect(normalizeAlertmanager({ ...payload(), externalURL: 'not a url' })[0]!.links.silence).toBeUndefined();
    expect(normalizeAlertmanager({ ...payload(), externalURL: undefined })[0]!.links.silence).toBeUndefined();
  });
});

describe('source.alertmanager', () => {
  const config = (extra: object = {}) => AlertmanagerConfigSchema.parse({ path: 'infra', auth: { type: 'none' }, ...extra });

  it('defaults to starting flows for firing alerts only', () => {
    const alerts = normalizeAlertmanager(payload());
    expect(config().on).toBe('firing');
    expect(alerts.map((a) => alertmanagerAdapter.accepts(config(), a))).toEqual([true, true, false]);
    expect(alerts.map((a) => alertmanagerAdapter.accepts(config({ on: 'resolved' }), a))).toEqual([false, false, true]);
    expect(alerts.map((a) => alertmanagerAdapter.accepts(config({ on: 'both' }), a))).toEqual([true, true, true]);
  });

  it('requires path and auth, and checks both', () => {
    const r = AlertmanagerConfigSchema.safeParse({});
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['path', 'auth']);
    const bad = AlertmanagerConfigSchema.safeParse({ path: 'Has Spaces', auth: { type: 'none' }, on: 'always', extra: 1 });
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'on', 'path']);
  });

  it('authenticates through the configured auth', () => {
    const c = config({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } });
    const request = (authorization: string) => ({ headers: { authorization }, rawBody: new Uint8Array() });
    const ctx = (secret: string | undefined) => ({ secrets: () => secret, now: Date.now(), fetch });
    expect(alertmanagerAdapter.authenticate(c, request('Bearer t0ken'), ctx('t0ken'))).toEqual({ ok: true });
    expect((alertmanagerAdapter.authenticate(c, request('Bearer t0ken'), ctx(undefined)) as { ok: boolean }).ok).toBe(false);
  });

  it('summarizes path, auth and which alerts start a run; declares no expressions', () => {
    expect(alertmanagerSource.summary(config({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }))).toBe(
      '/hooks/infra · bearer · firing',
    );
    expect(alertmanagerSource.summary(config({ on: 'both' }))).toBe('/hooks/infra · no auth · firing + resolved');
    expect(alertmanagerSource.expressions(config())).toEqual([]);
  });
});
