import { describe, expect, it } from 'vitest';
import { lookupNodeSpec } from '../../nodes/catalog.js';
import { JSON_ONLY } from '../../nodes/source-adapter.js';
import { WebhookConfigSchema, type WebhookMapping } from '../../nodes/source/webhook/definition.js';
import { webhookAdapter } from '../../nodes/source/webhook/ingest.js';
import { azureMonitorMapping, kubernetesEventMapping, uptimeKumaMapping } from '../../nodes/source/webhook/mappings.js';
import { validateFlow } from '../../shared/flow/validate.js';
import { fixtureBytes, fixtureFiles, fixtureHeaders, fixtureJson, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';

/**
 * The documented source.webhook mappings for tools without a node type of their own, proven on
 * every real delivery of those tools in the team's fixtures.
 */
const TOKEN = 'conformance-token';
const configFor = (mapping: WebhookMapping, extra: object = {}) =>
  WebhookConfigSchema.parse({ path: 'tool', auth: { type: 'header', name: 'X-Salve-Token', value: { secret: 'HOOK_TOKEN' } }, mapping, ...extra });
const ctx = { secrets: (name: string) => (name === 'HOOK_TOKEN' ? TOKEN : undefined), now: Date.now(), fetch };

function ingest(mapping: WebhookMapping, file: string) {
  const rawBody = fixtureBytes(file);
  const headers = { 'content-type': 'application/json', ...fixtureHeaders(file), 'x-salve-token': TOKEN };
  expect(webhookAdapter.contentTypes ?? JSON_ONLY).toContain(headers['content-type']);
  expect(webhookAdapter.authenticate(configFor(mapping), { headers, rawBody }, ctx)).toEqual({ ok: true });
  return webhookAdapter.normalize(configFor(mapping), JSON.parse(new TextDecoder().decode(rawBody)), normalizeContext());
}

function only(mapping: WebhookMapping, file: string) {
  const alerts = ingest(mapping, file);
  expect(alerts, file).toHaveLength(1);
  return alerts[0]!;
}

const normalize = (mapping: WebhookMapping, body: unknown) => webhookAdapter.normalize(configFor(mapping), body, normalizeContext());

describe('the documented mappings are valid flow configs', () => {
  it.each([
    ['azure-monitor', azureMonitorMapping],
    ['uptime-kuma', uptimeKumaMapping],
    ['k8s-event', kubernetesEventMapping],
  ] as const)('%s: passes the save-time check (CEL parses and type-checks)', (path, mapping) => {
    const flow = {
      format: 'salve.flow/v1',
      id: `from-${path}`,
      name: path,
      nodes: [
        { id: 'hook', type: 'source.webhook', config: { path, auth: { type: 'header', name: 'X-Salve-Token', value: { secret: 'HOOK_TOKEN' } }, mapping } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'hook', target: 'check' }],
    };
    const result = validateFlow(flow, lookupNodeSpec);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe.skipIf(!fixturesAvailable)('conformance: Azure Monitor (common alert schema) through source.webhook', () => {
  const files = fixturesAvailable ? fixtureFiles('azure-monitor') : [];

  it('every delivery normalizes: name, identity, Sev → severity, Fired/Resolved → status', () => {
    expect(files).toHaveLength(2);
    for (const file of files) {
      const e = (fixtureJson(file) as any).data.essentials;
      const alert = only(azureMonitorMapping, file);
      expect(alert).toMatchObject({ name: e.alertRule, fingerprint: e.alertId, severity: 'info', startsAt: e.firedDateTime });
      expect(alert.status).toBe(e.monitorCondition === 'Resolved' ? 'resolved' : 'firing');
      expect(alert.dedupKey).toBe(JSON.stringify(['webhook', e.alertId, alert.status]));
      expect(alert.labels.resource).toBe(e.configurationItems.join(','));
    }
  });

  it('metric-alert-fired: Fired, Sev3, with its description and no end', () => {
    const alert = only(azureMonitorMapping, 'azure-monitor/metric-alert-fired-dynamic-threshold-test-action.json');
    expect(alert).toMatchObject({
      status: 'firing',
      name: 'test-metricAlertRule',
      summary: 'Alert rule description',
      description: 'Alert rule description',
      startsAt: '2021-11-15T09:35:24.3468506Z',
      endsAt: '',
      labels: { signalType: 'Metric', monitoringService: 'Platform', resource: 'test-storageAccount' },
    });
  });

  it('metric-alert-resolved: Resolved with resolvedDateTime as its end; an empty description falls back to the rule', () => {
    const alert = only(azureMonitorMapping, 'azure-monitor/metric-alert-resolved-common-schema.json');
    expect(alert).toMatchObject({ status: 'resolved', summary: 'WCUS-R2-Gen2', description: '', endsAt: '2019-03-22T14:03:16.2246313Z' });
    expect(webhookAdapter.accepts(configFor(azureMonitorMapping), alert)).toBe(false);
  });

  it('alertId is stable from Fired to Resolved: same alert, another notification; Sev0..Sev4 map in order', () => {
    const fired = fixtureJson('azure-monitor/metric-alert-fired-dynamic-threshold-test-action.json') as any;
    const resolved = structuredClone(fired);
    resolved.data.essentials.monitorCondition = 'Resolved';
    resolved.data.essentials.resolvedDateTime = '2021-11-15T09:50:24.1234567Z';
    const [a] = normalize(azureMonitorMapping, fired);
    const [b] = normalize(azureMonitorMapping, resolved);
    expect(b!.fingerprint).toBe(a!.fingerprint);
    expect(b!.dedupKey).not.toBe(a!.dedupKey);
    // Azure sends the same Fired notification again: a duplicate.
    expect(normalize(azureMonitorMapping, structuredClone(fired))[0]!.dedupKey).toBe(a!.dedupKey);
    const severities = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'].map((sev) => {
      const p = structuredClone(fired);
      p.data.essentials.severity = sev;
      return normalize(azureMonitorMapping, p)[0]!.severity;
    });
    expect(severities).toEqual(['critical', 'high', 'warning', 'info', 'info']);
  });
});

describe.skipIf(!fixturesAvailable)('conformance: Uptime Kuma through source.webhook', () => {
  const files = fixturesAvailable ? fixtureFiles('uptime-kuma') : [];

  it('every delivery normalizes: monitor name and id, status 0 → firing, 1 → resolved, the heartbeat time in UTC', () => {
    expect(files).toHaveLength(3);
    for (const file of files) {
      const body = fixtureJson(file) as any;
      const alert = only(uptimeKumaMapping, file);
      expect(alert).toMatchObject({ name: body.monitor.name, fingerprint: String(body.monitor.id), summary: body.msg, description: body.heartbeat.msg });
      expect(alert.status).toBe(body.heartbeat.status === 0 ? 'firing' : 'resolved');
      expect(alert.severity).toBe(body.heartbeat.status === 0 ? 'critical' : 'info');
      expect(alert.startsAt).toBe(`${body.heartbeat.time.replace(' ', 'T')}Z`);
      expect(alert.labels).toEqual({ monitor: body.monitor.name, type: 'http', target: body.monitor.url });
    }
  });

  it('down, up, down again: one monitor, three notifications; the down ones start flows', () => {
    const down = only(uptimeKumaMapping, 'uptime-kuma/monitor-down-timeout-compact.json');
    const up = only(uptimeKumaMapping, 'uptime-kuma/monitor-up-recovered.json');
    const again = only(uptimeKumaMapping, 'uptime-kuma/monitor-down-dns-failure.json');
    expect([down.fingerprint, up.fingerprint, again.fingerprint]).toEqual(['89', '89', '89']);
    expect(new Set([down.dedupKey, up.dedupKey, again.dedupKey]).size).toBe(3);
    expect([down, up, again].map((a) => webhookAdapter.accepts(configFor(uptimeKumaMapping), a))).toEqual([true, false, true]);
    expect(down.startsAt).toBe('2023-07-31T18:56:15.374Z');
  });

  it('the Test button (heartbeat and monitor null) and PENDING/MAINTENANCE beats make no alert: recorded, nothing runs', () => {
    expect(normalize(uptimeKumaMapping, { heartbeat: null, monitor: null, msg: 'Uptime Kuma Webhook Testing' })).toEqual([]);
    const down = fixtureJson('uptime-kuma/monitor-down-timeout-compact.json') as any;
    for (const status of [2, 3]) expect(normalize(uptimeKumaMapping, { ...down, heartbeat: { ...down.heartbeat, status } })).toEqual([]);
  });
});

describe.skipIf(!fixturesAvailable)('conformance: Kubernetes events (kubernetes-event-exporter) through source.webhook', () => {
  const files = fixturesAvailable ? fixtureFiles('k8s-event') : [];

  it('every delivery normalizes: reason, message, Warning → warning, Normal → info, identity metadata.uid', () => {
    expect(files).toHaveLength(3);
    for (const file of files) {
      const e = fixtureJson(file) as any;
      const alert = only(kubernetesEventMapping, file);
      expect(alert).toMatchObject({ status: 'firing', name: e.reason, summary: e.message, fingerprint: e.metadata.uid, startsAt: e.firstTimestamp });
      expect(alert.severity).toBe(e.type === 'Warning' ? 'warning' : 'info');
      expect(alert.labels).toEqual({ namespace: 'probes', kind: 'Pod', object: 'app-target-6664868868-b84vm', reason: e.reason, type: e.type });
      expect(alert.dedupKey).toBe(JSON.stringify(['webhook', e.metadata.uid, 'firing']));
    }
  });

  it('the same Event re-sent with a growing count is the same notification: it does not run again', () => {
    const first = only(kubernetesEventMapping, 'k8s-event/exporter-warning-unhealthy-count1.json');
    const second = only(kubernetesEventMapping, 'k8s-event/exporter-warning-unhealthy-count2-same-event.json');
    expect((fixtureJson('k8s-event/exporter-warning-unhealthy-count2-same-event.json') as any).count).toBe(2);
    expect(second.dedupKey).toBe(first.dedupKey);
    expect(second.fingerprint).toBe(first.fingerprint);
    const killing = only(kubernetesEventMapping, 'k8s-event/exporter-normal-killing.json');
    expect(killing.dedupKey).not.toBe(first.dedupKey);
    expect(killing.severity).toBe('info');
  });

  it('events with eventTime instead of firstTimestamp, and cluster-scoped objects, still map', () => {
    const e = fixtureJson('k8s-event/exporter-warning-unhealthy-count1.json') as any;
    const modern = { ...e, firstTimestamp: null, eventTime: '2022-05-19T19:35:11.123456Z', involvedObject: { kind: 'Node', name: 'worker-1', uid: 'n-1' } };
    const [alert] = normalize(kubernetesEventMapping, modern);
    expect(alert).toMatchObject({ startsAt: '2022-05-19T19:35:11.123456Z', labels: { namespace: '', kind: 'Node', object: 'worker-1' } });
  });
});
