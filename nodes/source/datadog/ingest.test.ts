import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatadogConfigSchema, datadogSource } from './definition.js';
import { datadogAdapter, datadogSeverity, normalizeDatadog, parseTitle, parseTransition } from './ingest.js';
import { datadogSamples } from './samples.js';
import { DATADOG_PAYLOAD_TEMPLATE } from './template.js';
import { issuesOf, TEST_NOW } from '../../../test/kit/nodes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NOW = new Date('2026-11-24T12:00:00.000Z');

/** A delivery with the recommended template, written for these tests; fields can be overridden or removed (undefined). */
function recommended(fields: Record<string, unknown> = {}) {
  const body: Record<string, unknown> = {
    body: '%%%\nCPU is high on web-3 @webhook-salve\n\n[[Monitor Status](https://app.datadoghq.com/monitors/555?group=host%3Aweb-3)]\n%%%',
    last_updated: '1795511550000',
    event_type: 'query_alert_monitor',
    title: '[Triggered on {host:web-3}] High CPU',
    date: '1795511550000',
    org: { id: '42', name: 'Acme' },
    id: '1000000000000000001',
    alert_cycle_key: 'cycle-555-web-3',
    alert_transition: 'Triggered',
    alert_type: 'error',
    alert_priority: '',
    alert_id: '555',
    alert_title: '[Triggered on {host:web-3}] High CPU',
    alert_scope: 'host:web-3',
    alert_query: 'avg(last_5m):avg:system.cpu.user{*} by {host} > 90',
    alert_status: 'system.cpu.user over host:web-3 was > 90 on average during the last 5m.',
    alert_metric: 'system.cpu.user',
    aggreg_key: 'aggr-1',
    hostname: 'web-3',
    link: 'https://app.datadoghq.com/event/event?id=1000000000000000001',
    tags: 'env:prod,host:web-3,role:web',
    ...fields,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

/** Datadog's default payload, rendered (only body, last_updated, event_type, title, date, org, id). */
function defaultPayload(title: string, id = '2000000000000000001', date = '1795511550000') {
  return {
    body: '%%%\nCPU is high on web-3\n\n- - -\n\n[[Monitor Status](https://app.datadoghq.com/monitors/555?group=host%3Aweb-3&link_source=monitor_notif)] · [[Edit Monitor](https://app.datadoghq.com/monitors/555/edit)]\n%%%',
    last_updated: date,
    event_type: 'query_alert_monitor',
    title,
    date,
    org: { id: '42', name: 'Acme' },
    id,
  };
}

const one = (body: unknown) => {
  const alerts = normalizeDatadog(body, NOW);
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
};

const config = (extra: object = {}) => DatadogConfigSchema.parse({ path: 'dd', auth: { type: 'none' }, ...extra });

describe('normalizeDatadog', () => {
  it('maps the recommended template to one alert', () => {
    const payload = datadogSamples[0]!.payload;
    expect(one(payload)).toEqual({
      source: 'datadog',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: 'system.disk.in_use over host:db1.example.internal was > 0.95 on average during the last 5m.',
      description: expect.stringMatching(/^Filesystem \/var on db1\.example\.internal is 96% full;[\s\S]*Edit Monitor[^%]*$/),
      labels: {
        env: 'prod',
        host: 'db1.example.internal',
        monitor: '',
        service: 'postgresql',
        transition: 'Triggered',
        monitor_id: '98765432',
        scope: 'host:db1.example.internal',
        priority: 'P1',
        alert_type: 'error',
        event_type: 'query_alert_monitor',
        cycle_key: '7920145618230177351',
        hostname: 'db1.example.internal',
        org_id: '1000001',
      },
      annotations: {
        title: '[Triggered on {host:db1.example.internal}] DiskFull',
        status: 'system.disk.in_use over host:db1.example.internal was > 0.95 on average during the last 5m.',
        query: 'avg(last_5m):avg:system.disk.in_use{mountpoint:/var} by {host} > 0.95',
        metric: 'system.disk.in_use',
        event_id: '7920145618230177351',
        aggreg_key: '3c1f0e6b7a5d4e2f9a8b7c6d5e4f3a2b',
        org_name: 'Example Ops',
      },
      startsAt: '2026-11-24T09:12:30.000Z',
      endsAt: '',
      fingerprint: '7920145618230177351',
      dedupKey: JSON.stringify(['datadog', '7920145618230177351', 'alert']),
      links: { source: 'https://app.datadoghq.com/event/event?id=7920145618230177351' },
      raw: payload,
    });
    const recovered = one(datadogSamples[1]!.payload);
    expect(recovered).toMatchObject({ status: 'resolved', severity: 'critical', fingerprint: '7920145618230177351', endsAt: '2026-11-24T09:47:00.000Z' });
    expect(recovered.dedupKey).toBe(JSON.stringify(['datadog', '7920145618230177351', 'ok']));
  });

  it.each([
    ['Triggered', 'firing', 'alert', false],
    ['Re-Triggered', 'firing', 'alert', true],
    ['Warn', 'firing', 'warn', false],
    ['Re-Warn', 'firing', 'warn', true],
    ['No Data', 'firing', 'no_data', false],
    ['Re-No Data', 'firing', 'no_data', true],
    ['Recovered', 'resolved', 'ok', false],
  ] as const)('$ALERT_TRANSITION %s → %s (%s)', (transition, status, state, repeat) => {
    expect(parseTransition(transition)).toEqual({ state, repeat });
    const alert = one(recommended({ alert_transition: transition, alert_type: undefined, title: 'High CPU', alert_title: undefined }));
    expect(alert.status).toBe(status);
    expect(alert.labels.transition).toBe(transition);
    expect(alert.dedupKey).toBe(JSON.stringify(['datadog', 'cycle-555-web-3', state]));
  });

  it('takes the state from the title, then from $ALERT_TYPE, when the transition says nothing usable', () => {
    // Renotify names no state; Null and unknown words are ignored.
    expect(one(recommended({ alert_transition: 'Renotify', alert_type: 'warning', title: 'High CPU', alert_title: undefined }))).toMatchObject({
      status: 'firing',
      labels: { transition: 'Renotify' },
      dedupKey: JSON.stringify(['datadog', 'cycle-555-web-3', 'warn']),
    });
    expect(one(recommended({ alert_transition: 'Null', alert_title: '[Recovered on {host:web-3}] High CPU' })).status).toBe('resolved');
    expect(one(recommended({ alert_transition: 'Null', alert_title: '[Recovered on {host:web-3}] High CPU' })).labels.transition).toBe('Recovered');
    expect(one(recommended({ alert_transition: undefined, alert_type: 'success', alert_title: 'High CPU', title: undefined }))).toMatchObject({
      status: 'resolved',
      labels: { transition: 'Recovered' },
    });
    expect(one(recommended({ alert_transition: undefined, alert_type: 'error', alert_title: 'High CPU', title: undefined })).labels.transition).toBe('Triggered');
    expect(one(recommended({ alert_transition: undefined, alert_type: 'warning', alert_title: 'High CPU', title: undefined })).labels.transition).toBe('Warn');
    expect(issuesOf(() => normalizeDatadog(recommended({ alert_transition: 'Exploded', alert_type: 'info', alert_title: 'High CPU', title: undefined }), TEST_NOW))).toMatch(
      /^alert_transition: cannot tell whether the monitor alerts or recovered/,
    );
  });

  it.each([
    ['P1', 'alert', 'critical'],
    ['P2', 'warn', 'high'],
    ['P3', 'alert', 'warning'],
    ['P4', 'alert', 'info'],
    ['P5', 'alert', 'info'],
    [undefined, 'alert', 'critical'],
    [undefined, 'warn', 'warning'],
    [undefined, 'no_data', 'warning'],
    [undefined, 'ok', 'unknown'],
    ['P2', 'ok', 'high'],
  ] as const)('priority %s in state %s → %s', (priority, state, severity) => {
    expect(datadogSeverity(priority, state)).toBe(severity);
    const transition = { alert: 'Triggered', warn: 'Warn', no_data: 'No Data', ok: 'Recovered' }[state];
    expect(one(recommended({ alert_priority: priority ?? '', alert_transition: transition })).severity).toBe(severity);
  });

  it('reads titles: priority, transition and scope before the name', () => {
    expect(parseTitle('[P2] [Warn] Unauthorized access to API keep-api')).toEqual({ name: 'Unauthorized access to API keep-api', priority: 'P2', transition: 'Warn' });
    expect(parseTitle('[Triggered on {service:keep-api,env:prod}] Error monitor')).toEqual({
      name: 'Error monitor',
      transition: 'Triggered',
      scope: 'service:keep-api,env:prod',
    });
    expect(parseTitle('[Re-No Data on {host:a}] Heartbeat')).toMatchObject({ name: 'Heartbeat', transition: 'Re-No Data', scope: 'host:a' });
    // A bracket that is neither stays in the name, as in Datadog's own example title.
    expect(parseTitle('[Triggered] [Memory Alert]')).toEqual({ name: '[Memory Alert]', transition: 'Triggered' });
    expect(parseTitle('Plain name')).toEqual({ name: 'Plain name' });
  });

  it('reads the default payload: state, priority and scope from the title, monitor id and link from the message', () => {
    const triggered = one(defaultPayload('[P3] [Triggered on {host:web-3}] High CPU'));
    expect(triggered).toMatchObject({
      status: 'firing',
      name: 'High CPU',
      severity: 'warning',
      summary: '[P3] [Triggered on {host:web-3}] High CPU',
      fingerprint: '555/host:web-3',
      labels: { transition: 'Triggered', monitor_id: '555', scope: 'host:web-3', host: 'web-3', priority: 'P3', event_type: 'query_alert_monitor', org_id: '42' },
      links: { source: 'https://app.datadoghq.com/monitors/555?group=host%3Aweb-3&link_source=monitor_notif' },
      startsAt: '2026-11-24T09:12:30.000Z',
    });
    expect(triggered.labels.cycle_key).toBeUndefined();
    const recovered = one(defaultPayload('[P3] [Recovered on {host:web-3}] High CPU', '2000000000000000002', '1795513620000'));
    expect(recovered).toMatchObject({ status: 'resolved', fingerprint: '555/host:web-3', endsAt: '2026-11-24T09:47:00.000Z' });
  });

  describe('dedup', () => {
    it('with $ALERT_CYCLE_KEY: one key per state per cycle; reminders and retries repeat it', () => {
      const key = (fields: Record<string, unknown>) => one(recommended(fields)).dedupKey;
      const triggered = key({});
      expect(key({ alert_transition: 'Re-Triggered', id: 'another-event', date: '1795515000000' })).toBe(triggered);
      expect(key({ alert_transition: 'Warn' })).not.toBe(triggered);
      expect(key({ alert_transition: 'Recovered' })).not.toBe(triggered);
      expect(key({ alert_cycle_key: 'next-cycle' })).not.toBe(triggered);
    });

    it('without it: each notification (event id) is its own key, and reminders start nothing', () => {
      const first = one(defaultPayload('[Triggered on {host:web-3}] High CPU', 'e1'));
      expect(one(defaultPayload('[Triggered on {host:web-3}] High CPU', 'e1')).dedupKey).toBe(first.dedupKey);
      const nextCycle = one(defaultPayload('[Triggered on {host:web-3}] High CPU', 'e9'));
      expect(nextCycle.dedupKey).not.toBe(first.dedupKey);
      expect(nextCycle.fingerprint).toBe(first.fingerprint);
      const reminder = one(defaultPayload('[Re-Triggered on {host:web-3}] High CPU', 'e2'));
      expect(reminder.status).toBe('firing');
      expect(datadogAdapter.accepts(config(), first)).toBe(true);
      expect(datadogAdapter.accepts(config(), reminder)).toBe(false);
      // With a cycle key, a reminder may start the run its first notification did not (dedup decides).
      expect(datadogAdapter.accepts(config(), one(recommended({ alert_transition: 'Re-Triggered' })))).toBe(true);
    });

    it('without an id the fingerprint hashes the name and scope', () => {
      const a = one({ title: '[Triggered on {host:b,device:/var}] Disk', date: '1795511550000' });
      const b = one({ title: '[Recovered on {device:/var,host:b}] Disk', date: '1795511560000' });
      expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(b.fingerprint).toBe(a.fingerprint);
      expect(a.labels).toMatchObject({ scope: 'device:/var,host:b', host: 'b', device: '/var' });
    });
  });

  it('turns $TAGS and the scope into labels; Salve fields win', () => {
    const alert = one(recommended({ tags: 'env:prod, team:db, team:ops,monitor,transition:fake,__proto__:x,:odd', alert_scope: 'host:web-3, env:staging' }));
    expect(alert.labels).toMatchObject({ env: 'staging', team: 'db,ops', monitor: '', host: 'web-3', transition: 'Triggered', scope: 'env:staging,host:web-3' });
    expect(Object.getOwnPropertyDescriptor(alert.labels, '__proto__')?.value).toBe('x');
    expect(one(recommended({ tags: ['a:1', 'b'] })).labels).toMatchObject({ a: '1', b: '' });
  });

  it('accepts numbers where Datadog is asked for unquoted variables, and epoch seconds or ISO dates', () => {
    expect(one(recommended({ alert_id: 555, date: 1795511550000 })).labels.monitor_id).toBe('555');
    expect(one(recommended({ date: '1795511550' })).startsAt).toBe('2026-11-24T09:12:30.000Z');
    expect(one(recommended({ date: '2026-11-24T09:12:30Z' })).startsAt).toBe('2026-11-24T09:12:30Z');
    expect(one(recommended({ date: undefined, last_updated: undefined })).startsAt).toBe(NOW.toISOString());
  });

  it('refuses an unrendered template and names the fields it needs', () => {
    expect(issuesOf(() => normalizeDatadog(DATADOG_PAYLOAD_TEMPLATE, TEST_NOW))).toBe(
      [
        'title: needs the monitor title ($EVENT_TITLE) or its id ($ALERT_ID)',
        'alert_transition: cannot tell whether the monitor alerts or recovered: expected Triggered, Warn, No Data, Recovered (or Re-…, Renotify); add "alert_transition": "$ALERT_TRANSITION" to the payload',
      ].join('\n'),
    );
  });

  it('names the missing or wrong field', () => {
    expect(issuesOf(() => normalizeDatadog(null, TEST_NOW))).toBe('(root): must be a JSON object: the payload of a Datadog webhook');
    expect(issuesOf(() => normalizeDatadog([recommended()], TEST_NOW))).toContain('(root)');
    expect(issuesOf(() => normalizeDatadog(recommended({ alert_title: { x: 1 } }), TEST_NOW))).toBe('alert_title: must be a string');
    expect(issuesOf(() => normalizeDatadog(recommended({ org: 'acme' }), TEST_NOW))).toBe('org: must be an object: {"id": "$ORG_ID", "name": "$ORG_NAME"}');
    expect(issuesOf(() => normalizeDatadog(recommended({ org: { id: ['x'] } }), TEST_NOW))).toBe('org.id: must be a string');
    expect(issuesOf(() => normalizeDatadog(recommended({ tags: [1] }), TEST_NOW))).toBe('tags: must be a comma-separated string or a list of strings');
    expect(issuesOf(() => normalizeDatadog(recommended({ date: 'soon' }), TEST_NOW))).toBe('date: must be epoch milliseconds ($DATE) or an ISO 8601 time');
    expect(issuesOf(() => normalizeDatadog(recommended({ alert_query: 'q'.repeat(4097) }), TEST_NOW))).toBe('alert_query: value is longer than 4096 bytes');
    expect(issuesOf(() => normalizeDatadog(recommended({ tags: Array.from({ length: 300 }, (_, i) => `t${i}:v`).join(',') }), TEST_NOW))).toMatch(/^tags: too many labels: /);
  });
});

describe('source.datadog', () => {
  it('starts flows for firing alerts only by default', () => {
    const firing = one(recommended());
    const resolved = one(recommended({ alert_transition: 'Recovered' }));
    expect(config().on).toBe('firing');
    expect([firing, resolved].map((a) => datadogAdapter.accepts(config(), a))).toEqual([true, false]);
    expect([firing, resolved].map((a) => datadogAdapter.accepts(config({ on: 'resolved' }), a))).toEqual([false, true]);
    expect([firing, resolved].map((a) => datadogAdapter.accepts(config({ on: 'both' }), a))).toEqual([true, true]);
  });

  it('authenticates the custom header Datadog is told to send, failing closed', () => {
    const c = config({ auth: { type: 'bearer', token: { secret: 'DD_TOKEN' } } });
    const request = (authorization: string) => ({ headers: { authorization }, rawBody: new Uint8Array() });
    const ctx = (secret: string | undefined) => ({ secrets: () => secret, now: Date.now(), fetch });
    expect(datadogAdapter.authenticate(c, request('Bearer t0ken'), ctx('t0ken'))).toEqual({ ok: true });
    expect((datadogAdapter.authenticate(c, request('Bearer wrong'), ctx('t0ken')) as { ok: boolean }).ok).toBe(false);
    expect((datadogAdapter.authenticate(c, request('Bearer t0ken'), ctx(undefined)) as { ok: boolean }).ok).toBe(false);
    const header = config({ auth: { type: 'header', name: 'X-Salve-Token', value: { secret: 'DD_TOKEN' } } });
    expect(datadogAdapter.authenticate(header, { headers: { 'x-salve-token': 't0ken' }, rawBody: new Uint8Array() }, ctx('t0ken'))).toEqual({ ok: true });
  });

  it('summarizes like the other sources', () => {
    expect(datadogSource.summary(config({ auth: { type: 'bearer', token: { secret: 'DD_TOKEN' } } }))).toBe('/hooks/dd · bearer · firing');
  });

  it('ships the recommended template as docs/datadog/payload-template.json and in docs/sources.md', () => {
    const file = readFileSync(join(root, 'docs/datadog/payload-template.json'), 'utf8');
    expect(JSON.parse(file)).toEqual(DATADOG_PAYLOAD_TEMPLATE);
    const docs = readFileSync(join(root, 'docs/sources.md'), 'utf8');
    expect(docs).toContain(file.trim());
    // The samples are that template, rendered.
    for (const sample of datadogSamples) expect(Object.keys(sample.payload as object)).toEqual(Object.keys(DATADOG_PAYLOAD_TEMPLATE));
  });
});
