import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { simulateFlow } from '../../../runtime/engine/flows/simulate.js';
import { lookupNodeSpec } from '../../catalog.js';
import type { IngestContext, IngestRequest } from '../../source-adapter.js';
import { GrafanaConfigSchema, grafanaSource } from './definition.js';
import { grafanaAdapter, normalizeGrafana, TRUNCATED_ANNOTATION } from './ingest.js';
import { grafanaSamples } from './samples.js';
import { issuesOf } from '../../../test/kit/nodes.js';
import { hmacSha256Hex } from '../../../test/kit/hmac.js';

/** A Grafana (unified alerting) group: two firing alerts and one resolved, written for these tests. */
function payload() {
  return {
    receiver: 'salve',
    status: 'firing',
    orgId: 1,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighLatency', grafana_folder: 'API', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'p99 latency above 2 s', description: 'checkout p99 is 3.4 s', runbook_url: 'https://runbooks.example/latency' },
        startsAt: '2026-11-24T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://grafana.example/alerting/grafana/abc/view?orgId=1',
        fingerprint: '0a1b2c3d4e5f6071',
        silenceURL: 'https://grafana.example/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHighLatency',
        dashboardURL: 'https://grafana.example/d/api?orgId=1',
        panelURL: 'https://grafana.example/d/api?orgId=1&viewPanel=3',
        values: { B: 3.4, C: 1 },
        valueString: "[ var='B' labels={service=checkout} value=3.4 ]",
        imageURL: 'https://grafana.example/public/img/attachments/x.png',
      },
      {
        status: 'firing',
        labels: { alertname: 'HighLatency', grafana_folder: 'API', service: 'search', severity: 'warning' },
        annotations: { description: 'search p99 is 2.2 s' },
        startsAt: '2026-11-24T10:01:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://grafana.example/alerting/grafana/abc/view?orgId=1',
        silenceURL: '',
        dashboardURL: '',
        panelURL: 'https://grafana.example/d/api?orgId=1&viewPanel=3',
      },
      {
        status: 'resolved',
        labels: { alertname: 'HighLatency', grafana_folder: 'API', service: 'cart' },
        annotations: {},
        startsAt: '2026-11-24T09:00:00Z',
        endsAt: '2026-11-24T09:30:00Z',
        generatorURL: '',
        fingerprint: '0a1b2c3d4e5f6073',
        dashboardURL: '',
        panelURL: '',
      },
    ],
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: { alertname: 'HighLatency', grafana_folder: 'API' },
    commonAnnotations: {},
    externalURL: 'https://grafana.example/',
    version: '1',
    groupKey: '{}/{}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    title: '[FIRING:2, RESOLVED:1] HighLatency API',
    state: 'alerting',
    message: '**Firing**\n…',
  };
}
type Payload = ReturnType<typeof payload>;
const withAlert = (change: (a: any, p: any) => void): Payload => {
  const p = payload() as any;
  change(p.alerts[0], p);
  return p;
};

describe('normalizeGrafana', () => {
  it('keeps labels named __proto__, constructor or toString as plain labels', () => {
    const odd = JSON.parse(JSON.stringify(payload()));
    odd.alerts[0].labels = JSON.parse('{"alertname": "X", "__proto__": "p", "constructor": "c", "toString": "t"}');
    const [alert] = normalizeGrafana(odd);
    expect(Object.keys(alert!.labels)).toEqual(['alertname', '__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(alert!.labels, '__proto__')?.value).toBe('p');
    expect(alert!.labels.constructor).toBe('c');
  });

  it('turns each entry of alerts[] into one alert with Grafana links', () => {
    const [a, b, c] = normalizeGrafana(payload());
    expect(a).toEqual({
      source: 'grafana',
      status: 'firing',
      name: 'HighLatency',
      severity: 'critical',
      summary: 'p99 latency above 2 s',
      description: 'checkout p99 is 3.4 s',
      labels: { alertname: 'HighLatency', grafana_folder: 'API', service: 'checkout', severity: 'critical' },
      annotations: { summary: 'p99 latency above 2 s', description: 'checkout p99 is 3.4 s', runbook_url: 'https://runbooks.example/latency' },
      startsAt: '2026-11-24T10:00:00Z',
      endsAt: '',
      fingerprint: '0a1b2c3d4e5f6071',
      links: {
        source: 'https://grafana.example/alerting/grafana/abc/view?orgId=1',
        dashboard: 'https://grafana.example/d/api?orgId=1',
        runbook: 'https://runbooks.example/latency',
        silence: 'https://grafana.example/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHighLatency',
      },
      dedupKey: JSON.stringify(['grafana', '0a1b2c3d4e5f6071', '2026-11-24T10:00:00Z', 'firing']),
      raw: payload().alerts[0],
    });
    // No dashboard URL: the panel's; empty silence URL: none. Summary falls back to the description.
    expect(b!.links).toEqual({ source: 'https://grafana.example/alerting/grafana/abc/view?orgId=1', dashboard: 'https://grafana.example/d/api?orgId=1&viewPanel=3' });
    expect(b!.summary).toBe('search p99 is 2.2 s');
    // No fingerprint: a stable hash of the source and the sorted labels.
    expect(b!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const reordered = withAlert(() => {});
    (reordered.alerts[1] as any).labels = { severity: 'warning', service: 'search', grafana_folder: 'API', alertname: 'HighLatency' };
    expect(normalizeGrafana(reordered)[1]!.fingerprint).toBe(b!.fingerprint);

    expect(c).toMatchObject({ status: 'resolved', severity: 'unknown', summary: 'HighLatency', endsAt: '2026-11-24T09:30:00Z', links: {} });
  });

  it('status: the alert\'s own status wins; else the group state alerting → firing, ok → resolved', () => {
    const statusOf = (p: Payload) => normalizeGrafana(p).map((a) => a.status);
    expect(statusOf(withAlert((_, p) => (p.state = 'ok')))).toEqual(['firing', 'firing', 'resolved']);
    const noStatus = (state: unknown, groupStatus?: string) =>
      withAlert((_, p) => {
        for (const a of p.alerts) delete a.status;
        p.state = state;
        if (groupStatus === undefined) delete p.status;
        else p.status = groupStatus;
      });
    expect(statusOf(noStatus('alerting'))).toEqual(['firing', 'firing', 'firing']);
    expect(statusOf(noStatus('ok'))).toEqual(['resolved', 'resolved', 'resolved']);
    expect(statusOf(noStatus('Alerting'))).toEqual(['firing', 'firing', 'firing']);
    // A state Salve does not know (legacy no_data, paused…): the group's status decides.
    expect(statusOf(noStatus('no_data', 'resolved'))).toEqual(['resolved', 'resolved', 'resolved']);
    expect(issuesOf(() => normalizeGrafana(noStatus('pending')))).toContain('alerts[0].status: missing: each alert needs "firing" or "resolved"');
    expect(issuesOf(() => normalizeGrafana(withAlert((a) => (a.status = 'pending'))))).toBe('alerts[0].status: must be "firing" or "resolved"');
  });

  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['high', 'high'],
    ['error', 'high'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['low', 'info'],
    ['something-else', 'unknown'],
  ])('severity label %s → %s', (label, severity) => {
    expect(normalizeGrafana(withAlert((a) => (a.labels.severity = label)))[0]!.severity).toBe(severity);
  });

  it('severity without a severity label is unknown', () => {
    expect(normalizeGrafana(withAlert((a) => delete a.labels.severity))[0]!.severity).toBe('unknown');
  });

  it('notes truncatedAlerts on every alert it did send', () => {
    const truncated = withAlert((_, p) => (p.truncatedAlerts = 7));
    for (const alert of normalizeGrafana(truncated)) expect(alert.annotations[TRUNCATED_ANNOTATION]).toBe('7');
    for (const alert of normalizeGrafana(payload())) expect(alert.annotations).not.toHaveProperty(TRUNCATED_ANNOTATION);
    expect(issuesOf(() => normalizeGrafana(withAlert((_, p) => (p.truncatedAlerts = -1))))).toContain('truncatedAlerts: ');
  });

  it('names a rule without an alertname label after the group title', () => {
    const noName = withAlert((a, p) => {
      delete a.labels.alertname;
      p.title = '[FIRING:1]  (Checkout latency)';
    });
    expect(normalizeGrafana(noName)[0]!.name).toBe('(Checkout latency)');
    const mixed = withAlert((a, p) => {
      delete a.labels.alertname;
      p.title = '[FIRING:2, RESOLVED:1] Checkout latency';
    });
    expect(normalizeGrafana(mixed)[0]!.name).toBe('Checkout latency');
    const noTitle = withAlert((a, p) => {
      delete a.labels.alertname;
      delete p.title;
    });
    expect(normalizeGrafana(noTitle)[0]!.name).toBe('Grafana alert');
  });

  it('the same delivery twice gives the same dedupKeys; firing and resolved differ, the fingerprint stays', () => {
    const keys = (p: Payload) => normalizeGrafana(p).map((a) => a.dedupKey);
    expect(keys(payload())).toEqual(keys(JSON.parse(JSON.stringify(payload()))));
    const resolved = withAlert((a) => {
      a.status = 'resolved';
      a.endsAt = '2026-11-24T10:20:00Z';
    });
    const [before] = normalizeGrafana(payload());
    const [after] = normalizeGrafana(resolved);
    expect(after!.fingerprint).toBe(before!.fingerprint);
    expect(after!.dedupKey).not.toBe(before!.dedupKey);
    // A new firing episode (new startsAt) is a new notification.
    expect(normalizeGrafana(withAlert((a) => (a.startsAt = '2026-11-24T12:00:00Z')))[0]!.dedupKey).not.toBe(before!.dedupKey);
  });

  it('names the missing or wrong field', () => {
    expect(issuesOf(() => normalizeGrafana(withAlert((a) => delete a.labels)))).toContain('alerts[0].labels: ');
    expect(issuesOf(() => normalizeGrafana(withAlert((a) => delete a.startsAt)))).toContain('alerts[0].startsAt: ');
    expect(issuesOf(() => normalizeGrafana(withAlert((a) => (a.labels.cpu = 3))))).toContain('alerts[0].labels.cpu: ');
    expect(issuesOf(() => normalizeGrafana({ ...payload(), version: '4' }))).toContain('version: unsupported Grafana webhook version');
    expect(issuesOf(() => normalizeGrafana({ version: '1' }))).toContain('alerts: ');
    expect(issuesOf(() => normalizeGrafana(null))).toContain('(root)');
    expect(issuesOf(() => normalizeGrafana([payload()]))).toContain('(root)');
    expect(issuesOf(() => normalizeGrafana({ ruleName: 'CPU', state: 'alerting', evalMatches: [] }))).toContain('legacy Grafana alerting');
  });

  it('enforces the size limits, naming the field', () => {
    const many = withAlert((_, p) => (p.alerts = Array.from({ length: 1001 }, () => payload().alerts[0])));
    expect(issuesOf(() => normalizeGrafana(many))).toBe('alerts: too many alerts: 1001 (at most 1000 per delivery)');
    const long = withAlert((a) => (a.annotations.description = 'x'.repeat(4097)));
    expect(issuesOf(() => normalizeGrafana(long))).toBe('alerts[0].annotations.description: value is longer than 4096 bytes');
  });
});

describe('source.grafana', () => {
  const NOW = Date.parse('2026-11-24T10:00:05Z');
  const env: Record<string, string> = { GRAFANA_HMAC: 'grafana-hmac-secret', GRAFANA_HMAC_OLD: 'previous-secret', GRAFANA_TOKEN: 'bearer-token' };
  const ctx = (secrets: Record<string, string> = env): IngestContext => ({ secrets: (n) => secrets[n], now: NOW, fetch });
  const config = (auth: unknown, extra: object = {}) => GrafanaConfigSchema.parse({ path: 'grafana', auth, ...extra });
  const raw = new TextEncoder().encode(JSON.stringify(payload()));
  const request = (headers: Record<string, string>, body = raw): IngestRequest => ({ headers, rawBody: body });
  const auth = async (c: ReturnType<typeof config>, r: IngestRequest, x = ctx()) => grafanaAdapter.authenticate(c, r, x);
  const ts = Math.floor(NOW / 1000);
  const stampedHeaders = (secret: string, at = ts, body = raw) => ({
    'x-grafana-alerting-timestamp': String(at),
    'x-grafana-alerting-signature': hmacSha256Hex(secret, Buffer.concat([Buffer.from(`${at}:`), body])),
  });

  it('hmac defaults to X-Grafana-Alerting-Signature over the body', async () => {
    const c = config({ type: 'hmac', secret: { secret: 'GRAFANA_HMAC' } });
    expect(c.auth).toEqual({ type: 'hmac', secret: { secret: 'GRAFANA_HMAC' }, header: 'X-Grafana-Alerting-Signature' });
    expect(await auth(c, request({ 'x-grafana-alerting-signature': hmacSha256Hex('grafana-hmac-secret', Buffer.from(raw)) }))).toEqual({ ok: true });
    // Invalid: another secret, a tampered body.
    expect((await auth(c, request({ 'x-grafana-alerting-signature': hmacSha256Hex('nope', Buffer.from(raw)) }))).ok).toBe(false);
    const tampered = new TextEncoder().encode(JSON.stringify(payload()).replace('critical', 'warning'));
    expect((await auth(c, request({ 'x-grafana-alerting-signature': hmacSha256Hex('grafana-hmac-secret', Buffer.from(raw)) }, tampered))).ok).toBe(false);
    // Secret unset: refused even with the empty-key signature.
    expect(await auth(c, request({ 'x-grafana-alerting-signature': hmacSha256Hex('', Buffer.from(raw)) }), ctx({}))).toEqual({
      ok: false,
      reason: 'secret GRAFANA_HMAC is not set',
    });
  });

  it('hmac with a timestamp header: valid, expired, future, wrong header', async () => {
    const c = config({ type: 'hmac', secret: { secret: 'GRAFANA_HMAC' }, timestampHeader: 'X-Grafana-Alerting-Timestamp' });
    expect(await auth(c, request(stampedHeaders('grafana-hmac-secret')))).toEqual({ ok: true });
    expect((await auth(c, request(stampedHeaders('grafana-hmac-secret', ts - 301)))).ok).toBe(false);
    expect((await auth(c, request(stampedHeaders('grafana-hmac-secret', ts + 301)))).ok).toBe(false);
    // The signature where Salve was not told to look.
    const custom = config({ type: 'hmac', secret: { secret: 'GRAFANA_HMAC' }, header: 'X-Salve-Grafana-Sig', timestampHeader: 'X-Grafana-Alerting-Timestamp' });
    expect(await auth(custom, request(stampedHeaders('grafana-hmac-secret')))).toEqual({ ok: false, reason: 'missing X-Salve-Grafana-Sig header' });
    const h = stampedHeaders('grafana-hmac-secret');
    expect(await auth(custom, request({ 'x-grafana-alerting-timestamp': h['x-grafana-alerting-timestamp'], 'x-salve-grafana-sig': h['x-grafana-alerting-signature'] }))).toEqual({ ok: true });
  });

  it('hmac rotation: a list of two secrets accepts either', async () => {
    const c = config({ type: 'hmac', secret: [{ secret: 'GRAFANA_HMAC' }, { secret: 'GRAFANA_HMAC_OLD' }], timestampHeader: 'X-Grafana-Alerting-Timestamp' });
    expect(await auth(c, request(stampedHeaders('grafana-hmac-secret')))).toEqual({ ok: true });
    expect(await auth(c, request(stampedHeaders('previous-secret')))).toEqual({ ok: true });
    expect((await auth(c, request(stampedHeaders('before-that')))).ok).toBe(false);
    expect(GrafanaConfigSchema.safeParse({ path: 'g', auth: { type: 'hmac', secret: [{ secret: 'A' }, { secret: 'B' }, { secret: 'C' }] } }).success).toBe(false);
  });

  it('also takes the common auth types Grafana can send (bearer, basic)', async () => {
    const c = config({ type: 'bearer', token: { secret: 'GRAFANA_TOKEN' } });
    expect(await auth(c, request({ authorization: 'Bearer bearer-token' }))).toEqual({ ok: true });
    expect((await auth(c, request({ authorization: 'Bearer other' }))).ok).toBe(false);
    expect(await auth(config({ type: 'none' }), request({}))).toEqual({ ok: true });
  });

  it('requires auth and checks its shape', () => {
    const missing = GrafanaConfigSchema.safeParse({ path: 'grafana' });
    expect(missing.error!.issues[0]!.message).toContain('{"type":"hmac"');
    expect(GrafanaConfigSchema.safeParse({ path: 'g', auth: { type: 'hmac', secret: 'plain' } }).error!.issues[0]!.path).toEqual(['auth', 'secret']);
    expect(GrafanaConfigSchema.safeParse({ path: 'g', auth: { type: 'hmac', secret: { secret: 'A' }, header: 'bad header' } }).error!.issues[0]!.path).toEqual([
      'auth',
      'header',
    ]);
    expect(GrafanaConfigSchema.safeParse({ path: 'g', auth: { type: 'hmac', secret: { secret: 'A' }, extra: 1 } }).success).toBe(false);
  });

  it('defaults to starting flows for firing alerts only', () => {
    const alerts = normalizeGrafana(payload());
    const c = (on?: string) => config({ type: 'none' }, on ? { on } : {});
    expect(alerts.map((a) => grafanaAdapter.accepts(c(), a))).toEqual([true, true, false]);
    expect(alerts.map((a) => grafanaAdapter.accepts(c('resolved'), a))).toEqual([false, false, true]);
    expect(alerts.map((a) => grafanaAdapter.accepts(c('both'), a))).toEqual([true, true, true]);
  });

  it('summarizes path, auth and which alerts start a run', () => {
    expect(grafanaSource.summary(config({ type: 'hmac', secret: { secret: 'G' }, timestampHeader: 'X-Grafana-Alerting-Timestamp' }))).toBe(
      '/hooks/grafana · HMAC + timestamp · firing',
    );
    expect(grafanaSource.summary(config({ type: 'hmac', secret: { secret: 'G' } }, { on: 'both' }))).toBe('/hooks/grafana · HMAC · firing + resolved');
    expect(grafanaSource.summary(config({ type: 'bearer', token: { secret: 'G' } }))).toBe('/hooks/grafana · bearer · firing');
  });

  it('the firing sample takes a DiskFull flow to its restart step in simulation; the resolved one starts nothing', async () => {
    const result = validateFlow(
      {
        format: 'salve.flow/v1',
        id: 'grafana-disk',
        name: 'Grafana disk full',
        enabled: true,
        nodes: [
          { id: 'g', type: 'source.grafana', config: { path: 'grafana', auth: { type: 'hmac', secret: { secret: 'GRAFANA_HMAC' } } } },
          { id: 'disk', type: 'condition.match', config: { matchers: 'alertname="DiskFull", severity=~"critical|page"' } },
          { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarting', '{{ alert.labels.service }}', '{{ alert.links.dashboard }}'] } },
        ],
        edges: [
          { source: 'g', target: 'disk' },
          { source: 'disk', sourcePort: 'match', target: 'restart' },
        ],
      },
      lookupNodeSpec,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [firing] = await simulateFlow(result.flow, 'grafana', grafanaSamples[0]!.payload);
    expect(firing!.starts).toBe(true);
    expect(firing!.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['g:out', 'disk:match', 'restart:ok']);
    expect(firing!.steps[2]!.rendered).toMatchObject({
      command: ['echo', 'restarting', 'postgresql', 'https://grafana.example.internal/d/node-disk/node-disk?orgId=1'],
    });
    const [resolved] = await simulateFlow(result.flow, 'grafana', grafanaSamples[1]!.payload);
    expect(resolved!.starts).toBe(false);
    expect(resolved!.alert.fingerprint).toBe(firing!.alert.fingerprint);
  });
});
