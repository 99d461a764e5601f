import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { simulateFlow } from '../../../runtime/engine/flows/simulate.js';
import { lookupNodeSpec } from '../../catalog.js';
import type { IngestContext, IngestRequest } from '../../source-adapter.js';
import { ZabbixConfigSchema, zabbixSource } from './definition.js';
import { normalizeZabbix, zabbixAdapter, zabbixSeverity } from './ingest.js';
import { zabbixSamples } from './samples.js';
import { issuesOf, TEST_NOW } from '../../../test/kit/nodes.js';
import { hmacSha256Hex } from '../../../test/kit/hmac.js';

/** A problem as Salve's media type posts it, written for these tests. */
function problem(extra: Record<string, unknown> = {}) {
  return {
    version: '1',
    eventId: '9001',
    eventValue: 1,
    eventUpdate: false,
    updateAction: '',
    updateMessage: '',
    recoveryEventId: '',
    eventName: 'High CPU on web3: 97%',
    severity: 4,
    severityName: 'High',
    eventTimestamp: 1795514400,
    recoveryTimestamp: null,
    tags: [
      { tag: 'service', value: 'nginx' },
      { tag: 'scope', value: 'performance' },
      { tag: 'scope', value: 'capacity' },
    ],
    opdata: 'CPU: 97 %',
    triggerId: '17', triggerName: 'High CPU utilization',
    triggerStatus: 'PROBLEM',
    triggerDescription: 'CPU above 90% for 5 minutes.',
    host: 'web3.example.internal',
    hostIp: '10.0.7.3',
    zabbixUrl: 'https://zabbix.example.internal/',
    ...extra,
  };
}
const recovery = (extra: Record<string, unknown> = {}) =>
  problem({ eventValue: 0, recoveryEventId: '9044', recoveryTimestamp: 1795515000, triggerStatus: 'OK', ...extra });
const one = (body: unknown) => normalizeZabbix(body, TEST_NOW)[0]!;

describe('normalizeZabbix: the document of Salve\'s media type', () => {
  it('maps a problem', () => {
    expect(one(problem())).toEqual({
      source: 'zabbix',
      status: 'firing',
      name: 'High CPU utilization',
      severity: 'high',
      summary: 'High CPU on web3: 97%',
      description: 'CPU above 90% for 5 minutes.',
      labels: { service: 'nginx', scope: 'performance,capacity', host: 'web3.example.internal', host_ip: '10.0.7.3' },
      annotations: { summary: 'High CPU on web3: 97%', description: 'CPU above 90% for 5 minutes.', opdata: 'CPU: 97 %' },
      startsAt: '2026-11-24T10:00:00.000Z',
      endsAt: '',
      fingerprint: '17:9001',
      dedupKey: JSON.stringify(['zabbix', '17:9001', '2026-11-24T10:00:00.000Z', 'firing']),
      links: { source: 'https://zabbix.example.internal/tr_events.php?triggerid=17&eventid=9001' },
      raw: problem(),
    });
  });

  it('maps its recovery to the same fingerprint, resolved, with the recovery time as endsAt', () => {
    const r = one(recovery());
    expect(r).toMatchObject({ status: 'resolved', fingerprint: '17:9001', startsAt: '2026-11-24T10:00:00.000Z', endsAt: '2026-11-24T10:10:00.000Z' });
    // The event link is the problem's (tr_events.php shows the problem with its recovery).
    expect(r.links.source).toBe('https://zabbix.example.internal/tr_events.php?triggerid=17&eventid=9001');
    expect(r.dedupKey).not.toBe(one(problem()).dedupKey);
    // Without a recovery time the end is unknown.
    expect(one(recovery({ recoveryTimestamp: '' })).endsAt).toBe('');
  });

  it.each([
    [1, 'firing'],
    ['1', 'firing'],
    [0, 'resolved'],
    ['0', 'resolved'],
  ])('{EVENT.VALUE} %j → %s', (value, status) => {
    expect(one(problem({ eventValue: value })).status).toBe(status);
  });

  it('refuses any other {EVENT.VALUE}', () => {
    for (const value of [2, 'PROBLEM', '', null]) {
      expect(issuesOf(() => normalizeZabbix(problem({ eventValue: value }), TEST_NOW))).toBe('eventValue: must be 1 (problem) or 0 (recovery), as {EVENT.VALUE} gives');
    }
  });

  it.each([
    [0, 'Not classified', 'unknown'],
    [1, 'Information', 'info'],
    [2, 'Warning', 'warning'],
    [3, 'Average', 'warning'],
    [4, 'High', 'high'],
    [5, 'Disaster', 'critical'],
  ])('severity %i / %s → %s', (number, name, severity) => {
    expect(one(problem({ severity: number, severityName: name })).severity).toBe(severity);
    expect(one(problem({ severity: String(number), severityName: '' })).severity).toBe(severity);
    // By name alone (what {EVENT.SEVERITY} gives), in any case.
    expect(one(problem({ severity: name, severityName: name })).severity).toBe(severity);
    expect(zabbixSeverity(undefined, name.toUpperCase())).toBe(severity);
  });

  it('severity: the number wins over a renamed severity name; nothing known is unknown', () => {
    expect(one(problem({ severity: 5, severityName: 'Wake everyone' })).severity).toBe('critical');
    expect(one(problem({ severity: '', severityName: 'Wake everyone' })).severity).toBe('unknown');
    expect(one(problem({ severity: undefined, severityName: undefined })).severity).toBe('unknown');
    expect(zabbixSeverity(9)).toBe('unknown');
  });

  it('a problem update (acknowledged, commented) is the same notification as the problem: same dedupKey', () => {
    const update = one(problem({ eventUpdate: true, updateAction: 'acknowledged, commented', updateMessage: 'looking into it' }));
    expect(update.dedupKey).toBe(one(problem()).dedupKey);
    expect(update.annotations).toMatchObject({ update_action: 'acknowledged, commented', update_message: 'looking into it' });
    // Escalation re-sends, and redeliveries, likewise.
    expect(one(JSON.parse(JSON.stringify(problem()))).dedupKey).toBe(one(problem()).dedupKey);
    // A new problem of the same trigger is a new event id: a new alert.
    expect(one(problem({ eventId: '9100', eventTimestamp: 1795520000 })).fingerprint).toBe('17:9100');
  });

  it('event link only from an http(s) {$ZABBIX.URL}', () => {
    expect(one(problem({ zabbixUrl: 'https://mon.example/zabbix' })).links.source).toBe('https://mon.example/zabbix/tr_events.php?triggerid=17&eventid=9001');
    for (const zabbixUrl of ['', undefined, 'javascript:alert(1)', 'not a url']) {
      expect(one(problem({ zabbixUrl })).links).toEqual({});
    }
  });

  it('labels: host fields win over tags of the same name; name falls back to the event name', () => {
    const alert = one(problem({ tags: [{ tag: 'host', value: 'from-tag' }, { tag: 'empty', value: '' }] }));
    expect(alert.labels).toEqual({ host: 'web3.example.internal', empty: '', host_ip: '10.0.7.3' });
    expect(one(problem({ tags: undefined, host: undefined, hostIp: undefined })).labels).toEqual({});
    expect(one(problem({ triggerName: '' })).name).toBe('High CPU on web3: 97%');
    expect(one(problem({ eventName: '' })).summary).toBe('High CPU utilization');
  });

  it('names the missing or wrong field', () => {
    expect(issuesOf(() => normalizeZabbix(problem({ eventId: '' }), TEST_NOW))).toBe('eventId: must be the numeric id Zabbix puts in {EVENT.ID}');
    expect(issuesOf(() => normalizeZabbix(problem({ eventId: '{EVENT.ID}' }), TEST_NOW))).toBe('eventId: must be the numeric id Zabbix puts in {EVENT.ID}');
    expect(issuesOf(() => normalizeZabbix(problem({ triggerId: undefined }), TEST_NOW))).toContain('triggerId: ');
    expect(issuesOf(() => normalizeZabbix(problem({ eventTimestamp: '2026.11.24' }), TEST_NOW))).toBe('eventTimestamp: must be Unix seconds, as {EVENT.TIMESTAMP} gives');
    expect(issuesOf(() => normalizeZabbix(problem({ triggerName: '', eventName: '' }), TEST_NOW))).toBe('triggerName: missing: needs {TRIGGER.NAME} (or eventName, {EVENT.NAME})');
    expect(issuesOf(() => normalizeZabbix(problem({ tags: 'service:nginx' }), TEST_NOW))).toContain('tags: must be the list');
    expect(issuesOf(() => normalizeZabbix(problem({ tags: [{ tag: '', value: 'x' }] }), TEST_NOW))).toBe('tags[0].tag: tag name is empty');
    expect(issuesOf(() => normalizeZabbix(problem({ version: '2' }), TEST_NOW))).toContain('version: unsupported');
    expect(issuesOf(() => normalizeZabbix(problem({ opdata: 'x'.repeat(4097) }), TEST_NOW))).toBe('opdata: value is longer than 4096 bytes');
    expect(issuesOf(() => normalizeZabbix(problem({ tags: Array.from({ length: 255 }, (_, i) => ({ tag: `t${i}`, value: '' })) }), TEST_NOW))).toBe(
      'tags: too many labels: 257 (at most 256)',
    );
    expect(issuesOf(() => normalizeZabbix([problem()], TEST_NOW))).toContain('(root)');
    expect(issuesOf(() => normalizeZabbix({ subject: 'hello' }, TEST_NOW))).toContain('eventId: ');
  });
});

describe('normalizeZabbix: the shape of Zulip\'s media type', () => {
  const zulip = (status: string, eventId: string, extra: Record<string, unknown> = {}) => ({
    hostname: 'db7.example.internal',
    severity: 'Disaster',
    status,
    item: 'Free disk space on /var: 2%',
    trigger: 'Disk is almost full on db7',
    link: `https://zabbix.example.internal/tr_events.php?triggerid=5150&eventid=${eventId}`,
    ...extra,
  });

  it('PROBLEM fires, OK resolves, identified by the trigger id of the link', () => {
    const fire = one(zulip('PROBLEM', '700'));
    const ok = one(zulip('OK', '701'));
    expect(fire).toMatchObject({
      source: 'zabbix',
      status: 'firing',
      name: 'Disk is almost full on db7',
      severity: 'critical',
      labels: { host: 'db7.example.internal' },
      annotations: { summary: 'Disk is almost full on db7', item: 'Free disk space on /var: 2%' },
      fingerprint: '5150',
      endsAt: '',
      links: { source: 'https://zabbix.example.internal/tr_events.php?triggerid=5150&eventid=700' },
    });
    expect(ok).toMatchObject({ status: 'resolved', fingerprint: '5150' });
    // The link's event id tells a redelivery from a new event.
    expect(fire.dedupKey).toBe(JSON.stringify(['zabbix', '5150', 'event:700', 'firing']));
    expect(one(zulip('PROBLEM', '700')).dedupKey).toBe(fire.dedupKey);
    expect(one(zulip('PROBLEM', '702')).dedupKey).not.toBe(fire.dedupKey);
    expect(one(zulip('problem', '700')).status).toBe('firing');
  });

  it('without a usable link: host and trigger name are the identity', () => {
    const a = one(zulip('PROBLEM', '1', { link: undefined }));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a.links).toEqual({});
    expect(one(zulip('PROBLEM', '1', { link: 'javascript:x' })).links).toEqual({});
  });

  it('names the wrong field', () => {
    expect(issuesOf(() => normalizeZabbix(zulip('RESOLVED', '1'), TEST_NOW))).toBe('status: must be "PROBLEM" or "OK"');
    expect(issuesOf(() => normalizeZabbix(zulip('OK', '1', { hostname: undefined }), TEST_NOW))).toContain('hostname: ');
  });
});

describe('source.zabbix', () => {
  const NOW = 1795514400_000 + 4_000;
  const env: Record<string, string> = { ZABBIX_HMAC: 'zabbix-media-secret', ZABBIX_HMAC_OLD: 'old-media-secret' };
  const ctx = (secrets: Record<string, string> = env, now = NOW): IngestContext => ({ secrets: (n) => secrets[n], now, fetch });
  const config = (auth: unknown, extra: object = {}) => ZabbixConfigSchema.parse({ path: 'zabbix', auth, ...extra });
  const hmacConfig = config({ type: 'hmac', secret: { secret: 'ZABBIX_HMAC' } });
  const body = JSON.stringify(problem());
  const rawBody = new TextEncoder().encode(body);
  const ts = Math.floor(NOW / 1000);
  const signed = (secret: string, at = ts, text = body): IngestRequest => ({
    headers: {
      'content-type': 'application/json',
      'x-salve-timestamp': String(at),
      'x-salve-signature': hmacSha256Hex(secret, `${at}:${text}`),
    },
    rawBody: new TextEncoder().encode(text),
  });
  const auth = async (c: ReturnType<typeof config>, r: IngestRequest, x = ctx()) => zabbixAdapter.authenticate(c, r, x);

  it('verifies X-Salve-Signature over X-Salve-Timestamp ":" body', async () => {
    expect(await auth(hmacConfig, signed('zabbix-media-secret'))).toEqual({ ok: true });
    expect(await auth(hmacConfig, signed('wrong-secret'))).toEqual({ ok: false, reason: 'wrong signature in X-Salve-Signature' });
    const tampered = { ...signed('zabbix-media-secret'), rawBody: new TextEncoder().encode(body.replace('"severity":4', '"severity":1')) };
    expect((await auth(hmacConfig, tampered)).ok).toBe(false);
  });

  it('refuses expired and future timestamps, a missing timestamp, and the signature in another header', async () => {
    expect(await auth(hmacConfig, signed('zabbix-media-secret', ts - 301))).toEqual({ ok: false, reason: 'X-Salve-Timestamp is 301 s old (expired: at most 300 s)' });
    expect(await auth(hmacConfig, signed('zabbix-media-secret', ts + 301))).toEqual({ ok: false, reason: 'X-Salve-Timestamp is 301 s in the future (at most 300 s)' });
    expect(await auth(hmacConfig, signed('zabbix-media-secret', ts - 300))).toEqual({ ok: true });
    const noStamp = signed('zabbix-media-secret');
    delete noStamp.headers['x-salve-timestamp'];
    expect(await auth(hmacConfig, noStamp)).toEqual({ ok: false, reason: 'missing X-Salve-Timestamp header' });
    const elsewhere = signed('zabbix-media-secret');
    elsewhere.headers['x-signature'] = elsewhere.headers['x-salve-signature']!;
    delete elsewhere.headers['x-salve-signature'];
    expect(await auth(hmacConfig, elsewhere)).toEqual({ ok: false, reason: 'missing X-Salve-Signature header' });
  });

  it('fails closed when the secret is unset; accepts either secret while rotating', async () => {
    expect(await auth(hmacConfig, signed(''), ctx({}))).toEqual({ ok: false, reason: 'secret ZABBIX_HMAC is not set' });
    const rotating = config({ type: 'hmac', secret: [{ secret: 'ZABBIX_HMAC' }, { secret: 'ZABBIX_HMAC_OLD' }] });
    expect(await auth(rotating, signed('zabbix-media-secret'))).toEqual({ ok: true });
    expect(await auth(rotating, signed('old-media-secret'))).toEqual({ ok: true });
    expect((await auth(rotating, signed('older-media-secret'))).ok).toBe(false);
  });

  it('takes the common auth types for a script of your own, and requires auth', async () => {
    const header = config({ type: 'header', name: 'X-Api-Key', value: { secret: 'ZABBIX_HMAC' } });
    expect(await auth(header, { headers: { 'x-api-key': 'zabbix-media-secret' }, rawBody })).toEqual({ ok: true });
    expect(ZabbixConfigSchema.safeParse({ path: 'zabbix' }).error!.issues[0]!.message).toContain('{"type":"hmac"');
    // The header names are the media type's: not configurable.
    expect(ZabbixConfigSchema.safeParse({ path: 'z', auth: { type: 'hmac', secret: { secret: 'A' }, header: 'X-Other' } }).success).toBe(false);
  });

  it('defaults to firing only; summary names the signature', () => {
    const [fire] = normalizeZabbix(problem(), TEST_NOW);
    const [ok] = normalizeZabbix(recovery(), TEST_NOW);
    expect([fire!, ok!].map((a) => zabbixAdapter.accepts(hmacConfig, a))).toEqual([true, false]);
    expect([fire!, ok!].map((a) => zabbixAdapter.accepts(config({ type: 'none' }, { on: 'resolved' }), a))).toEqual([false, true]);
    expect(zabbixSource.summary(hmacConfig)).toBe('/hooks/zabbix · HMAC + timestamp · firing');
    expect(zabbixSource.summary(config({ type: 'none' }, { on: 'both' }))).toBe('/hooks/zabbix · no auth · firing + resolved');
  });

  it('the problem sample runs a flow to its restart step in simulation; the recovery starts nothing', async () => {
    const result = validateFlow(
      {
        format: 'salve.flow/v1',
        id: 'zabbix-disk',
        name: 'Zabbix disk full',
        enabled: true,
        nodes: [
          { id: 'z', type: 'source.zabbix', config: { path: 'zabbix', auth: { type: 'hmac', secret: { secret: 'ZABBIX_HMAC' } } } },
          { id: 'disk', type: 'condition.expr', config: { expression: 'alert.name == "DiskFull" && alert.severity == "critical"' } },
          { id: 'restart', type: 'action.shell', config: { command: ['echo', 'restarting', '{{ alert.labels.service }}', 'on', '{{ alert.labels.host }}'] } },
        ],
        edges: [
          { source: 'z', target: 'disk' },
          { source: 'disk', sourcePort: 'true', target: 'restart' },
        ],
      },
      lookupNodeSpec,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [fire] = await simulateFlow(result.flow, 'zabbix', zabbixSamples[0]!.payload);
    expect(fire!.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['z:out', 'disk:true', 'restart:ok']);
    expect(fire!.steps[2]!.rendered).toMatchObject({ command: ['echo', 'restarting', 'postgresql', 'on', 'db1.example.internal'] });
    expect(fire!.alert.links.source).toBe('https://zabbix.example.internal/tr_events.php?triggerid=23811&eventid=40127');
    const [ok] = await simulateFlow(result.flow, 'zabbix', zabbixSamples[1]!.payload);
    expect(ok!.starts).toBe(false);
    expect(ok!.alert).toMatchObject({ status: 'resolved', fingerprint: fire!.alert.fingerprint, endsAt: '2026-11-24T09:47:00.000Z' });
  });
});
