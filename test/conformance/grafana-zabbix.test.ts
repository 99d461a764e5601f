import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alert/schema.js';
import type { IngestContext, IngestRequest } from '../../nodes/source-adapter.js';
import { GrafanaConfigSchema } from '../../nodes/source/grafana/definition.js';
import { grafanaAdapter } from '../../nodes/source/grafana/ingest.js';
import { ZabbixConfigSchema } from '../../nodes/source/zabbix/definition.js';
import { zabbixAdapter, zabbixSeverity } from '../../nodes/source/zabbix/ingest.js';
import { fixtureBytes, fixtureFiles, fixtureHeaders, fixtureJson, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';
import { hmacSha256Hex } from '../kit/hmac.js';

/**
 * Every real Grafana and Zabbix delivery in the team's collection (../shared/fixtures/alerts),
 * signed here over its exact bytes, through source.grafana and source.zabbix, checked against
 * what FORMATS.md says about each tool. Unrendered templates (`*template*`) are not deliveries.
 */
const deliveries = (tool: string) => (fixturesAvailable ? fixtureFiles(tool).filter((f) => !f.includes('template')) : []);
const SECRET = 'conformance-hmac-secret';
const NOW = Date.now();
const ctx: IngestContext = { secrets: (name) => (name === 'HMAC' ? SECRET : undefined), now: NOW, fetch };
const ts = String(Math.floor(NOW / 1000));
const hex = (data: Buffer) => hmacSha256Hex(SECRET, data);

function request(file: string, headers: Record<string, string>, bytes = fixtureBytes(file)): IngestRequest {
  return { headers: { 'content-type': 'application/json', ...fixtureHeaders(file), ...headers }, rawBody: bytes };
}
function tamper(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = copy.indexOf('"'.charCodeAt(0), Math.floor(copy.length / 2));
  copy[at + 1] = copy[at + 1]! ^ 0x20;
  return copy;
}
const isZeroTime = (t: unknown) => typeof t !== 'string' || t.startsWith('0001-01-01');

describe.runIf(fixturesAvailable)('conformance: Grafana deliveries through source.grafana', () => {
  const files = deliveries('grafana');
  const bodyOnly = GrafanaConfigSchema.parse({ path: 'grafana', auth: { type: 'hmac', secret: { secret: 'HMAC' } } });
  const stamped = GrafanaConfigSchema.parse({
    path: 'grafana',
    auth: { type: 'hmac', secret: { secret: 'HMAC' }, timestampHeader: 'X-Grafana-Alerting-Timestamp' },
  });

  it('has deliveries to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: the signature over its exact bytes verifies, in both of Grafana\'s forms; a changed byte does not', async (file) => {
    const bytes = Buffer.from(fixtureBytes(file));
    const signature = hex(bytes);
    expect(await grafanaAdapter.authenticate(bodyOnly, request(file, { 'x-grafana-alerting-signature': signature }), ctx)).toEqual({ ok: true });
    const stampedSig = hex(Buffer.concat([Buffer.from(`${ts}:`), bytes]));
    const headers = { 'x-grafana-alerting-signature': stampedSig, 'x-grafana-alerting-timestamp': ts };
    expect(await grafanaAdapter.authenticate(stamped, request(file, headers), ctx)).toEqual({ ok: true });
    expect((await grafanaAdapter.authenticate(stamped, request(file, headers, tamper(bytes)), ctx)).ok).toBe(false);
    expect((await grafanaAdapter.authenticate(bodyOnly, request(file, { 'x-grafana-alerting-signature': signature }, tamper(bytes)), ctx)).ok).toBe(false);
  });

  it.each(files)('%s: one alert per entry, with the facts FORMATS.md states', (file) => {
    const body = fixtureJson(file) as any;
    // Grafana's payload: version "1", orgId, state alerting|ok, title, truncatedAlerts.
    expect(body.version).toBe('1');
    expect(['alerting', 'ok']).toContain(body.state);
    const alerts = grafanaAdapter.normalize(bodyOnly, body, normalizeContext(request(file, {})));
    expect(alerts).toHaveLength(body.alerts.length);
    // A group in state "alerting" has something firing.
    if (body.state === 'alerting') expect(alerts.some((a) => a.status === 'firing')).toBe(true);
    alerts.forEach((alert: Alert, i: number) => {
      const entry = body.alerts[i];
      // The per-alert status; a group in state "ok" has nothing firing.
      expect(alert.status).toBe(entry.status);
      if (body.state === 'ok') expect(alert.status).toBe('resolved');
      expect(alert.source).toBe('grafana');
      expect(alert.name).toBe(entry.labels.alertname);
      expect(alert.labels).toEqual(entry.labels);
      expect(alert.fingerprint).toBe(entry.fingerprint);
      expect(alert.summary).toBe(entry.annotations.summary);
      expect(alert.description).toBe(entry.annotations.description ?? '');
      expect(alert.startsAt).toBe(entry.startsAt);
      expect(alert.endsAt).toBe(isZeroTime(entry.endsAt) ? '' : entry.endsAt);
      if (alert.status === 'resolved') expect(alert.endsAt).not.toBe('');
      // generatorURL → the rule view; the silence link; dashboardURL, else panelURL (empty when not linked).
      expect(alert.links.source).toBe(entry.generatorURL);
      expect(alert.links.silence).toBe(entry.silenceURL || undefined);
      expect(alert.links.dashboard).toBe(entry.dashboardURL || entry.panelURL || undefined);
      expect(alert.links.runbook).toBe(entry.annotations.runbook_url);
      expect(alert.raw).toEqual(entry);
      // truncatedAlerts 0: nothing was left out.
      expect(alert.annotations).toEqual(entry.annotations);
    });
  });

  it('firing → resolved of the same rule keeps the fingerprint and changes the dedupKey', () => {
    const byFingerprint = new Map<string, Alert[]>();
    for (const file of files) {
      for (const alert of grafanaAdapter.normalize(bodyOnly, fixtureJson(file), normalizeContext())) {
        byFingerprint.set(alert.fingerprint, [...(byFingerprint.get(alert.fingerprint) ?? []), alert]);
      }
    }
    const pairs = [...byFingerprint.values()].filter((list) => new Set(list.map((a) => a.status)).size === 2);
    expect(pairs.length).toBeGreaterThan(0);
    for (const list of pairs) {
      const firing = list.find((a) => a.status === 'firing')!;
      const resolved = list.find((a) => a.status === 'resolved')!;
      expect(resolved.startsAt).toBe(firing.startsAt);
      expect(resolved.dedupKey).not.toBe(firing.dedupKey);
    }
    // The same delivery again is the same notification.
    for (const file of files) {
      const again = grafanaAdapter.normalize(bodyOnly, fixtureJson(file), normalizeContext()).map((a) => a.dedupKey);
      expect(grafanaAdapter.normalize(bodyOnly, fixtureJson(file), normalizeContext()).map((a) => a.dedupKey)).toEqual(again);
    }
  });
});

describe.runIf(fixturesAvailable)('conformance: Zabbix deliveries through source.zabbix', () => {
  const files = deliveries('zabbix');
  const config = ZabbixConfigSchema.parse({ path: 'zabbix', auth: { type: 'hmac', secret: { secret: 'HMAC' } } });
  const signed = (file: string, bytes = fixtureBytes(file)) =>
    request(
      file,
      { 'x-salve-timestamp': ts, 'x-salve-signature': hex(Buffer.concat([Buffer.from(`${ts}:`), Buffer.from(fixtureBytes(file))])) },
      bytes,
    );

  it('has deliveries to check (and leaves the parameter template out)', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.some((f) => f.includes('template'))).toBe(false);
  });

  it.each(files)('%s: the media-type signature over its exact bytes verifies; a changed byte does not', async (file) => {
    expect(await zabbixAdapter.authenticate(config, signed(file), ctx)).toEqual({ ok: true });
    expect((await zabbixAdapter.authenticate(config, signed(file, tamper(fixtureBytes(file))), ctx)).ok).toBe(false);
  });

  it.each(files)('%s: normalizes with the facts FORMATS.md states', (file) => {
    const body = fixtureJson(file) as any;
    const [alert, ...rest] = zabbixAdapter.normalize(config, body, normalizeContext(signed(file)));
    expect(rest).toEqual([]);
    // {TRIGGER.STATUS}: PROBLEM fires, OK resolves.
    expect(alert!.status).toBe(body.status === 'PROBLEM' ? 'firing' : 'resolved');
    expect(alert!.source).toBe('zabbix');
    expect(alert!.name).toBe(body.trigger);
    expect(alert!.labels.host).toBe(body.hostname);
    // Severity is a name here.
    expect(alert!.severity).toBe(zabbixSeverity(undefined, body.severity));
    expect(alert!.severity).not.toBe('unknown');
    // The event link: <url>/tr_events.php?triggerid=<TRIGGER.ID>&eventid=<EVENT.ID>.
    expect(alert!.links.source).toBe(body.link);
    const link = new URL(body.link);
    expect(alert!.fingerprint).toBe(link.searchParams.get('triggerid'));
  });

  it('PROBLEM → OK of the same trigger keeps the fingerprint (the trigger id, not the differing event ids)', () => {
    const alerts = files.map((file) => zabbixAdapter.normalize(config, fixtureJson(file), normalizeContext())[0]!);
    const firing = alerts.filter((a) => a.status === 'firing');
    const resolved = alerts.filter((a) => a.status === 'resolved');
    expect(firing.length).toBeGreaterThan(0);
    expect(resolved.length).toBeGreaterThan(0);
    for (const ok of resolved) {
      const problem = firing.find((a) => a.fingerprint === ok.fingerprint);
      expect(problem, ok.name).toBeDefined();
      expect(ok.dedupKey).not.toBe(problem!.dedupKey);
      expect(ok.labels.host).toBe(problem!.labels.host);
    }
  });
});
