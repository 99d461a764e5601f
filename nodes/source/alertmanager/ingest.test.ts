import { describe, expect, it } from 'vitest';
import { AlertmanagerConfigSchema, alertmanagerSource } from './definition.js';
import { alertmanagerAdapter, normalizeAlertmanager, TRUNCATED_ANNOTATION } from './ingest.js';
import { toUtcTimestamp } from './time.js';
import { issuesOf, normalizeContext } from '../../../test/kit/nodes.js';

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
    expect(issuesOf(() => normalizeAlertmanager({ ...payload(), version: '1' }))).toContain('version: unsupported');

    const badTime = payload() as any;
    badTime.alerts[0].startsAt = '24/11/2026 01:00';
    expect(issuesOf(() => normalizeAlertmanager(badTime))).toContain('alerts[0].startsAt: must be an RFC 3339 timestamp');
    const badEnd = payload() as any;
    badEnd.alerts[2].endsAt = 'soon';
    expect(issuesOf(() => normalizeAlertmanager(badEnd))).toContain('alerts[2].endsAt: must be an RFC 3339 timestamp');
    expect(issuesOf(() => normalizeAlertmanager({ ...payload(), truncatedAlerts: 'two' }))).toBe('truncatedAlerts: must be a number');
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

  it('keeps labels named __proto__, constructor or toString as plain labels', () => {
    const odd = JSON.parse(
      '{"version": "4", "commonLabels": {"__proto__": "c"}, "alerts": [{"status": "firing", "startsAt": "2026-11-24T01:00:00Z", ' +
        '"labels": {"alertname": "X", "__proto__": "p", "constructor": "c", "toString": "t"}, "annotations": {"__proto__": "a"}}]}',
    );
    const [alert] = normalizeAlertmanager(odd);
    expect(Object.keys(alert!.labels)).toEqual(['alertname', '__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(alert!.labels, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(alert!.labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(alert!.annotations, '__proto__')?.value).toBe('a');
    // Stored as JSON and read back, they are still there.
    expect(JSON.parse(JSON.stringify(alert)).labels).toEqual(alert!.labels);
    const [group] = normalizeAlertmanager(odd, { group: true });
    expect(Object.getOwnPropertyDescriptor(group!.labels, '__proto__')?.value).toBe('c');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('leaves out the silence link when externalURL is unusable', () => {
    expect(normalizeAlertmanager({ ...payload(), externalURL: 'not a url' })[0]!.links.silence).toBeUndefined();
    expect(normalizeAlertmanager({ ...payload(), externalURL: undefined })[0]!.links.silence).toBeUndefined();
  });
});

describe('normalizeAlertmanager: what real deliveries carry', () => {
  it('takes each alert\'s own status, with endsAt only once it is resolved', () => {
    const mixed = payload();
    // A firing alert may carry the time Alertmanager would time it out: not an end.
    mixed.alerts[0]!.endsAt = '2026-11-24T01:20:00Z';
    const [a, , c] = normalizeAlertmanager({ ...mixed, status: 'firing' });
    expect([a!.status, a!.endsAt]).toEqual(['firing', '']);
    expect([c!.status, c!.endsAt]).toEqual(['resolved', '2026-11-24T00:30:00.000Z']);
    // The same alert firing and resolved: same fingerprint, different notification.
    const resolved = payload();
    resolved.alerts[0]!.status = 'resolved';
    resolved.alerts[0]!.endsAt = '2026-11-24T02:00:00Z';
    const r = normalizeAlertmanager(resolved)[0]!;
    expect(r.fingerprint).toBe(a!.fingerprint);
    expect(r.dedupKey).not.toBe(a!.dedupKey);
    expect(r.endsAt).toBe('2026-11-24T02:00:00Z');
  });

  it('writes timestamps with a zone offset in UTC, keeping every fractional digit', () => {
    expect(toUtcTimestamp('2023-03-25T14:39:51.68943305+08:00')).toBe('2023-03-25T06:39:51.68943305Z');
    expect(toUtcTimestamp('2026-11-24T01:00:00Z')).toBe('2026-11-24T01:00:00Z');
    expect(toUtcTimestamp('2026-11-24T01:00:00.000Z')).toBe('2026-11-24T01:00:00.000Z');
    expect(toUtcTimestamp('2026-11-23T20:30:00-04:30')).toBe('2026-11-24T01:00:00Z');
    expect(toUtcTimestamp('2026-11-24 01:00:00Z')).toBeUndefined();
    expect(toUtcTimestamp('2026-11-24T01:00:00')).toBeUndefined();
    expect(toUtcTimestamp('2026-13-24T01:00:00Z')).toBeUndefined();

    const offset = payload();
    offset.alerts[0]!.startsAt = '2026-11-24T09:00:00.123456789+08:00';
    const [alert] = normalizeAlertmanager(offset);
    expect(alert!.startsAt).toBe('2026-11-24T01:00:00.123456789Z');
    // The same instant written in another zone is the same notification (HA peers in other zones).
    const utc = payload();
    utc.alerts[0]!.startsAt = '2026-11-24T01:00:00.123456789Z';
    expect(normalizeAlertmanager(utc)[0]!.dedupKey).toBe(alert!.dedupKey);
  });

  it('reads Go\'s \\u0026 escapes like any JSON', () => {
    const text = '{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A\\u003cB"},"annotations":{},"startsAt":"2026-11-24T01:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph?g0.expr=x\\u0026g0.tab=1","fingerprint":"f1"}]}\n';
    const [alert] = normalizeAlertmanager(JSON.parse(text));
    expect(alert!.links.source).toBe('http://prom/graph?g0.expr=x&g0.tab=1');
    expect(alert!.name).toBe('A<B');
  });

  it('records alerts Alertmanager dropped (max_alerts) on every alert of the delivery', () => {
    const truncated = { ...payload(), truncatedAlerts: 7 };
    for (const alert of normalizeAlertmanager(truncated)) expect(alert.annotations[TRUNCATED_ANNOTATION]).toBe('7');
    for (const alert of normalizeAlertmanager(payload())) expect(alert.annotations).not.toHaveProperty(TRUNCATED_ANNOTATION);
    // The alert's own annotations are untouched in raw.
    expect((normalizeAlertmanager(truncated)[0]!.raw as any).annotations).not.toHaveProperty(TRUNCATED_ANNOTATION);
  });

  it('reads old payloads: version "3" or 0, a numeric groupKey, no truncatedAlerts, no fingerprints', () => {
    for (const version of ['3', 0, undefined]) {
      const old = payload() as any;
      old.version = version;
      old.groupKey = 1234567890;
      delete old.truncatedAlerts;
      for (const a of old.alerts) delete a.fingerprint;
      const alerts = normalizeAlertmanager(old);
      expect(alerts).toHaveLength(3);
      expect(alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(alerts[0]!.annotations).not.toHaveProperty(TRUNCATED_ANNOTATION);
      const group = normalizeAlertmanager(old, { group: true });
      expect(group).toHaveLength(1);
    }
  });

  it('accepts an empty group as no alerts', () => {
    expect(normalizeAlertmanager({ ...payload(), alerts: [] })).toEqual([]);
    expect(normalizeAlertmanager({ ...payload(), alerts: [] }, { group: true })).toEqual([]);
  });
});

describe('normalizeAlertmanager with group: true', () => {
  const group = (body: unknown) => {
    const alerts = normalizeAlertmanager(body, { group: true });
    expect(alerts).toHaveLength(1);
    return alerts[0]!;
  };

  it('makes one alert for the whole delivery from the group fields', () => {
    const alert = group(payload());
    expect(alert).toMatchObject({
      source: 'alertmanager',
      // Two of the three alerts still fire.
      status: 'firing',
      name: 'DiskFull',
      // The worst severity among the firing alerts (page → critical, warn → warning).
      severity: 'critical',
      summary: 'DiskFull: 2 firing, 1 resolved',
      description: '',
      labels: { alertname: 'DiskFull', job: 'node' },
      annotations: { salve_alerts_firing: '2', salve_alerts_resolved: '1' },
      // The earliest start of the group; no end while any alert fires.
      startsAt: '2026-11-24T00:00:00.000Z',
      endsAt: '',
    });
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(alert.dedupKey).toMatch(/^alertmanager-group:[0-9a-f]{64}$/);
    // The whole payload, for the per-alert details.
    expect(alert.raw).toEqual(payload());
    expect(alert.links.silence).toBe(
      'http://am.example.internal:9093/#/silences/new?filter=' + encodeURIComponent('{alertname="DiskFull", job="node"}'),
    );
    // The alerts have different generator URLs: none is the group's.
    expect(alert.links.source).toBeUndefined();
  });

  it('uses commonAnnotations, and the alerts\' shared labels when commonLabels is missing', () => {
    const p = payload() as any;
    p.commonAnnotations = { summary: 'Disks are filling up', description: 'Three hosts', runbook_url: 'https://runbooks.example/disk' };
    delete p.commonLabels;
    delete p.groupLabels;
    const alert = group(p);
    expect(alert).toMatchObject({ summary: 'Disks are filling up', description: 'Three hosts', labels: { alertname: 'DiskFull', job: 'node' }, name: 'DiskFull' });
    expect(alert.links.runbook).toBe('https://runbooks.example/disk');
  });

  it('names a group of different alerts after all of them when no alertname is shared', () => {
    const p = payload() as any;
    p.alerts[1].labels.alertname = 'InodesFull';
    p.groupLabels = { job: 'node' };
    p.commonLabels = { job: 'node' };
    expect(group(p).name).toBe('DiskFull, InodesFull');
  });

  it('is resolved once every alert of the group is, ending at the last end', () => {
    const p = payload() as any;
    p.status = 'resolved';
    p.alerts = [p.alerts[2]!, { ...p.alerts[2]!, fingerprint: 'aaaa000000000004', endsAt: '2026-11-24T00:45:00+01:00' }];
    const alert = group(p);
    expect(alert).toMatchObject({ status: 'resolved', severity: 'unknown', startsAt: '2026-11-24T00:00:00.000Z', endsAt: '2026-11-24T00:30:00.000Z' });
    expect(alert.links.source).toBe('http://prom.example.internal:9090/graph');
  });

  it('keeps the group identity across deliveries; a changed set of alerts or states is a new notification', () => {
    const first = group(payload());
    // Re-sent unchanged (repeat_interval, the HA peer), alerts in another order: a duplicate.
    const reordered = payload();
    reordered.alerts.reverse();
    expect(group(reordered)).toMatchObject({ fingerprint: first.fingerprint, dedupKey: first.dedupKey });
    // One more alert joins the group: same group, new notification.
    const grown = payload() as any;
    grown.alerts.push({ ...grown.alerts[0]!, fingerprint: 'aaaa000000000009', labels: { ...grown.alerts[0]!.labels, instance: 'db9:9100' } });
    expect(group(grown).fingerprint).toBe(first.fingerprint);
    expect(group(grown).dedupKey).not.toBe(first.dedupKey);
    // An alert of the group resolves.
    const changed = payload();
    changed.alerts[0]!.status = 'resolved';
    expect(group(changed).dedupKey).not.toBe(first.dedupKey);
    // The same alert firing again after it resolved (new startsAt) is a new notification too.
    const again = payload();
    again.alerts[0]!.startsAt = '2026-11-24T05:00:00.000Z';
    expect(group(again).dedupKey).not.toBe(first.dedupKey);
    // Another group (another route or grouping) has another identity.
    expect(group({ ...payload(), groupKey: '{}:{alertname="Other"}' }).fingerprint).not.toBe(first.fingerprint);
  });

  it('records truncation on the group alert', () => {
    expect(group({ ...payload(), truncatedAlerts: 12 }).annotations[TRUNCATED_ANNOTATION]).toBe('12');
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

  it('group is off by default; on, the adapter makes one alert per delivery', () => {
    expect(config().group).toBe(false);
    expect(alertmanagerAdapter.normalize(config(), payload(), normalizeContext())).toHaveLength(3);
    const grouped = alertmanagerAdapter.normalize(config({ group: true }), payload(), normalizeContext());
    expect(grouped).toHaveLength(1);
    expect(alertmanagerAdapter.accepts(config({ group: true }), grouped[0]!)).toBe(true);
    expect(alertmanagerSource.summary(config({ group: true }))).toBe('/hooks/infra · no auth · firing · per group');
  });

  it('summarizes path, auth and which alerts start a run; declares no expressions', () => {
    expect(alertmanagerSource.summary(config({ auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } } }))).toBe(
      '/hooks/infra · bearer · firing',
    );
    expect(alertmanagerSource.summary(config({ on: 'both' }))).toBe('/hooks/infra · no auth · firing + resolved');
    expect(alertmanagerSource.expressions(config())).toEqual([]);
  });
});
