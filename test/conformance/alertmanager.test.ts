import { describe, expect, it } from 'vitest';
import { JSON_ONLY } from '../../nodes/source-adapter.js';
import { AlertmanagerConfigSchema } from '../../nodes/source/alertmanager/definition.js';
import { alertmanagerAdapter, normalizeAlertmanager, TRUNCATED_ANNOTATION } from '../../nodes/source/alertmanager/ingest.js';
import { fixtureBytes, fixtureFiles, fixtureHeaders, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';

/**
 * Every real Alertmanager delivery in the team's fixtures, through source.alertmanager, checked
 * against the facts FORMATS.md states for it.
 */
const TOKEN = 'conformance-token';
const config = (extra: object = {}) => AlertmanagerConfigSchema.parse({ path: 'infra', auth: { type: 'bearer', token: { secret: 'AM_TOKEN' } }, ...extra });
const ctx = { secrets: (name: string) => (name === 'AM_TOKEN' ? TOKEN : undefined), now: Date.now(), fetch };

/** The delivery as the hook receives it: exact bytes, published headers, our bearer token. */
function deliver(file: string) {
  const rawBody = fixtureBytes(file);
  const headers = { 'content-type': 'application/json', ...fixtureHeaders(file), authorization: `Bearer ${TOKEN}` };
  const media = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  expect(alertmanagerAdapter.contentTypes ?? JSON_ONLY).toContain(media);
  expect(alertmanagerAdapter.authenticate(config(), { headers, rawBody }, ctx)).toEqual({ ok: true });
  const text = new TextDecoder().decode(rawBody);
  return { text, body: JSON.parse(text) as any };
}

describe.skipIf(!fixturesAvailable)('conformance: Alertmanager deliveries', () => {
  const files = fixturesAvailable ? fixtureFiles('alertmanager') : [];

  it('finds the deliveries', () => {
    expect(files).toEqual([
      'alertmanager/firing-2-alerts-same-labels-pretty.json',
      'alertmanager/firing-3-alerts-compact.json',
      'alertmanager/resolved-1-alert-compact.json',
    ]);
  });

  it.each(files)('%s: one alert per entry of alerts[], each with its own status, and one group alert', (file) => {
    const { body } = deliver(file);
    const alerts = alertmanagerAdapter.normalize(config(), body, normalizeContext());
    expect(alerts).toHaveLength(body.alerts.length);
    alerts.forEach((alert, i) => {
      const am = body.alerts[i];
      expect(alert.source).toBe('alertmanager');
      expect(alert.status).toBe(am.status);
      expect(alert.name).toBe(am.labels.alertname);
      expect(alert.labels).toEqual(am.labels);
      // Every real delivery carries Alertmanager's own 16-hex fingerprint: it is the identity.
      expect(am.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(alert.fingerprint).toBe(am.fingerprint);
      expect(alert.startsAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      expect(Date.parse(alert.startsAt)).toBe(Date.parse(am.startsAt));
      if (am.status === 'firing') expect(alert.endsAt).toBe('');
      else expect(Date.parse(alert.endsAt)).toBe(Date.parse(am.endsAt));
      expect(alert.raw).toEqual(am);
    });
    expect(new Set(alerts.map((a) => a.dedupKey)).size).toBe(alerts.length);

    const [group] = alertmanagerAdapter.normalize(config({ group: true }), body, normalizeContext());
    expect(group).toMatchObject({ status: body.status, labels: body.commonLabels, name: body.groupLabels.alertname ?? body.commonLabels.alertname });
    expect(group!.raw).toEqual(body);
  });

  it('firing-3-alerts-compact: Go encoding, receiver web\\.hook, +08:00 offsets kept to the nanosecond, truncatedAlerts 0', () => {
    const { text, body } = deliver('alertmanager/firing-3-alerts-compact.json');
    // Compact Go encoder output: \u0026 for &, a trailing newline.
    expect(text).toContain('\\u0026g0.tab=1');
    expect(text.endsWith('}\n')).toBe(true);
    // The receiver name went through regexp quoting.
    expect(body.receiver).toBe('web\\.hook');
    expect(body.truncatedAlerts).toBe(0);

    const alerts = alertmanagerAdapter.normalize(config(), body, normalizeContext());
    expect(alerts.map((a) => a.status)).toEqual(['firing', 'firing', 'firing']);
    expect(alerts[0]!.links.source).toMatch(/%3E\+95&g0\.tab=1$/);
    expect(body.alerts[0].startsAt).toBe('2023-03-25T14:39:51.68943305+08:00');
    expect(alerts.map((a) => a.startsAt)).toEqual(['2023-03-25T06:39:51.68943305Z', '2023-03-25T06:41:21.68943305Z', '2023-03-25T06:41:06.68943305Z']);
    // severity "exception" is no severity Salve knows.
    expect(alerts.every((a) => a.severity === 'unknown')).toBe(true);
    expect(alerts.every((a) => !(TRUNCATED_ANNOTATION in a.annotations))).toBe(true);
    expect(alerts.map((a) => a.links.silence!.startsWith('http://k8s-node1:9093/#/silences/new?filter='))).toEqual([true, true, true]);

    const [group] = alertmanagerAdapter.normalize(config({ group: true }), body, normalizeContext());
    expect(group).toMatchObject({
      name: '主机CPU使用率',
      status: 'firing',
      summary: '444',
      annotations: { summary: '444', salve_alerts_firing: '3', salve_alerts_resolved: '0' },
      startsAt: '2023-03-25T06:39:51.68943305Z',
      endsAt: '',
    });
  });

  it('resolved-1-alert-compact: a resolved group repeats only the alert that resolved, with its real endsAt', () => {
    const { body } = deliver('alertmanager/resolved-1-alert-compact.json');
    expect(body.status).toBe('resolved');
    const [alert] = alertmanagerAdapter.normalize(config(), body, normalizeContext());
    expect(alert).toMatchObject({
      status: 'resolved',
      name: 'Grafana进程存活',
      fingerprint: '20453f227ff62f33',
      startsAt: '2023-03-25T07:24:36.039625135Z',
      endsAt: '2023-03-25T07:27:51.039625135Z',
    });
    // A source on "firing" (the default) records it and starts nothing.
    expect(alertmanagerAdapter.accepts(config(), alert!)).toBe(false);
    expect(alertmanagerAdapter.accepts(config({ on: 'resolved' }), alert!)).toBe(true);
  });

  it('firing-2-alerts-same-labels-pretty: identical labels, different fingerprints are two alerts; no truncatedAlerts (older release)', () => {
    const { body } = deliver('alertmanager/firing-2-alerts-same-labels-pretty.json');
    expect(body).not.toHaveProperty('truncatedAlerts');
    const alerts = alertmanagerAdapter.normalize(config(), body, normalizeContext());
    expect(alerts[0]!.labels).toEqual(alerts[1]!.labels);
    expect(alerts.map((a) => a.fingerprint)).toEqual(['a1bc48475b20e73d', 'c2ea85182f28cbd9']);
    expect(alerts[0]!.dedupKey).not.toBe(alerts[1]!.dedupKey);
    expect(alerts.map((a) => a.summary)).toEqual(['High CPU core temperature', 'High CPU core temperature']);
    expect(alerts.map((a) => a.description)).toEqual(['CPU core temperature is 34.75C', 'CPU core temperature is 17.625C']);
    expect(alerts.every((a) => a.severity === 'critical' && a.startsAt === '2020-02-06T00:17:58.432911368Z')).toBe(true);
    // groupLabels is empty: the group alert is named from commonLabels.
    const [group] = alertmanagerAdapter.normalize(config({ group: true }), body, normalizeContext());
    expect(group).toMatchObject({ name: 'High CPU Temperature', severity: 'critical', summary: 'High CPU core temperature' });
  });

  it('the fingerprint is stable from firing to resolved; the notification is not', () => {
    const { body } = deliver('alertmanager/firing-3-alerts-compact.json');
    const resolved = structuredClone(body);
    resolved.status = 'resolved';
    resolved.alerts = [{ ...body.alerts[0], status: 'resolved', endsAt: '2023-03-25T14:49:51.68943305+08:00' }];
    const [firing] = normalizeAlertmanager(body);
    const [ended] = normalizeAlertmanager(resolved);
    expect(ended!.fingerprint).toBe(firing!.fingerprint);
    expect(ended!.dedupKey).not.toBe(firing!.dedupKey);
    expect(ended!.endsAt).toBe('2023-03-25T06:49:51.68943305Z');
    // Old payloads without fingerprints: the label hash is just as stable.
    const strip = (p: any) => ({ ...p, alerts: p.alerts.map(({ fingerprint: _f, ...a }: any) => a) });
    expect(normalizeAlertmanager(strip(resolved))[0]!.fingerprint).toBe(normalizeAlertmanager(strip(body))[0]!.fingerprint);
    // The same group delivered again (repeat_interval, an HA peer) is the same notification.
    expect(normalizeAlertmanager(structuredClone(body)).map((a) => a.dedupKey)).toEqual(normalizeAlertmanager(body).map((a) => a.dedupKey));
  });

  it('a mixed group (firing and resolved alerts in one delivery) keeps each alert\'s status', () => {
    const firing = deliver('alertmanager/firing-3-alerts-compact.json').body;
    const resolved = deliver('alertmanager/resolved-1-alert-compact.json').body;
    const mixed = { ...firing, alerts: [...firing.alerts, ...resolved.alerts], truncatedAlerts: 2 };
    const alerts = alertmanagerAdapter.normalize(config(), mixed, normalizeContext());
    expect(alerts.map((a) => a.status)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    expect(alerts.map((a) => alertmanagerAdapter.accepts(config(), a))).toEqual([true, true, true, false]);
    expect(alerts.every((a) => a.annotations[TRUNCATED_ANNOTATION] === '2')).toBe(true);
    const [group] = alertmanagerAdapter.normalize(config({ group: true }), mixed, normalizeContext());
    expect(group).toMatchObject({ status: 'firing', annotations: { salve_alerts_firing: '3', salve_alerts_resolved: '1', [TRUNCATED_ANNOTATION]: '2' } });
  });
});
