import { describe, expect, it } from 'vitest';
import { NagiosConfigSchema, nagiosSource } from './definition.js';
import { acceptsNagios, bounded, nagiosAdapter, normalizeNagios } from './ingest.js';
import { nagiosSamples } from './samples.js';
import { issuesOf } from '../../../test/kit/nodes.js';

const now = new Date('2026-11-24T10:00:00.000Z');

/** A service notification as salve-notify posts it (values are Nagios macros, so all strings). */
function service(overrides: Record<string, string> = {}) {
  return {
    sender: 'salve-notify/1',
    notification_type: 'PROBLEM',
    host_name: 'web1',
    host_address: '10.0.0.5',
    host_state: 'UP',
    host_state_type: 'HARD',
    service_description: 'HTTP',
    state: 'CRITICAL',
    state_type: 'HARD',
    plugin_output: 'HTTP CRITICAL - Socket timeout after 10 seconds',
    long_plugin_output: '',
    timestamp: '1795514400',
    last_state_change: '1795514100',
    problem_id: '812',
    last_problem_id: '790',
    current_attempt: '4',
    max_attempts: '4',
    duration: '0d 0h 5m 0s',
    notification_number: '1',
    acknowledgement_author: '',
    acknowledgement_comment: '',
    contact_name: 'salve',
    ...overrides,
  };
}

/** A host notification: no service, and state/state_type/plugin_output are the host's. */
function host(overrides: Record<string, string> = {}) {
  return {
    notification_type: 'PROBLEM',
    host_name: 'db2',
    host_address: '10.0.0.7',
    host_state: 'DOWN',
    host_state_type: 'HARD',
    service_description: '',
    state: 'DOWN',
    state_type: 'HARD',
    plugin_output: 'PING CRITICAL - Packet loss = 100%',
    timestamp: '1795514400',
    last_state_change: '1795514280',
    problem_id: '77',
    last_problem_id: '0',
    ...overrides,
  };
}

const one = (body: unknown) => {
  const alerts = normalizeNagios(body, now);
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
};

const config = (extra: object = {}) => NagiosConfigSchema.parse({ path: 'nagios', auth: { type: 'none' }, ...extra });

describe('normalizeNagios: notifications from salve-notify', () => {
  it('maps a service PROBLEM', () => {
    expect(one(service())).toEqual({
      source: 'nagios',
      status: 'firing',
      name: 'HTTP',
      severity: 'critical',
      summary: 'HTTP CRITICAL - Socket timeout after 10 seconds',
      description: '',
      labels: { host: 'web1', service: 'HTTP', address: '10.0.0.5', state: 'CRITICAL', state_type: 'HARD', notification_type: 'PROBLEM' },
      annotations: {
        output: 'HTTP CRITICAL - Socket timeout after 10 seconds',
        host_state: 'UP',
        attempt: '4',
        max_attempts: '4',
        duration: '0d 0h 5m 0s',
        notification_number: '1',
        problem_id: '812',
        contact: 'salve',
      },
      // Since when the state holds ($LASTSERVICESTATECHANGE$), not when the notification went out.
      startsAt: '2026-11-24T09:55:00.000Z',
      endsAt: '',
      fingerprint: 'web1!HTTP',
      dedupKey: JSON.stringify(['nagios', 'web1!HTTP', 'problem', '812', 'CRITICAL', 'PROBLEM']),
      links: {},
      raw: service(),
    });
  });

  it('maps every service and host state to status and severity', () => {
    const cases: [Record<string, string>, string, string][] = [
      [service({ state: 'CRITICAL' }), 'firing', 'critical'],
      [service({ state: 'WARNING' }), 'firing', 'warning'],
      [service({ state: 'UNKNOWN' }), 'firing', 'unknown'],
      [service({ state: 'OK', notification_type: 'RECOVERY' }), 'resolved', 'info'],
      [host({ state: 'DOWN' }), 'firing', 'critical'],
      [host({ state: 'UNREACHABLE' }), 'firing', 'unknown'],
      [host({ state: 'UP', notification_type: 'RECOVERY' }), 'resolved', 'info'],
      // State ids ($SERVICESTATEID$, $HOSTSTATEID$) and any case are read too.
      [service({ state: '2' }), 'firing', 'critical'],
      [service({ state: '0' }), 'resolved', 'info'],
      [service({ state: 'warning' }), 'firing', 'warning'],
      [host({ state: '1' }), 'firing', 'critical'],
      [host({ state: '2' }), 'firing', 'unknown'],
    ];
    for (const [body, status, severity] of cases) expect([one(body).status, one(body).severity], JSON.stringify(body.state)).toEqual([status, severity]);
  });

  it('names a host check after the host, with the host state', () => {
    const alert = one(host());
    expect(alert).toMatchObject({ name: 'db2', fingerprint: 'db2', summary: 'PING CRITICAL - Packet loss = 100%', status: 'firing' });
    expect(alert.labels).toEqual({ host: 'db2', address: '10.0.0.7', state: 'DOWN', state_type: 'HARD', notification_type: 'PROBLEM' });
    // A host notification that only carries host_state / host_state_type.
    const bare = one({ host_name: 'db2', host_state: 'DOWN', host_state_type: 'SOFT' });
    expect(bare.labels).toMatchObject({ state: 'DOWN', state_type: 'SOFT', notification_type: 'PROBLEM' });
  });

  it('one problem episode is one notification: re-notifications are duplicates, a worse state is new, the recovery ends it', () => {
    const first = one(service());
    expect(one(service({ timestamp: '1795518000', notification_number: '2' })).dedupKey).toBe(first.dedupKey);
    const worse = one(service({ state: 'WARNING' }));
    expect(worse.dedupKey).not.toBe(first.dedupKey);
    expect(worse.fingerprint).toBe(first.fingerprint);
    // On recovery the current problem id is 0 and LASTSERVICEPROBLEMID names the episode.
    const recovery = one(service({ notification_type: 'RECOVERY', state: 'OK', problem_id: '0', last_problem_id: '812', last_state_change: '1795515000' }));
    expect(recovery).toMatchObject({ status: 'resolved', fingerprint: 'web1!HTTP', startsAt: '2026-11-24T10:10:00.000Z', endsAt: '2026-11-24T10:10:00.000Z' });
    expect(recovery.dedupKey).toBe(JSON.stringify(['nagios', 'web1!HTTP', 'problem', '812', 'OK', 'RECOVERY']));
    expect(recovery.annotations.problem_id).toBe('812');
    // An acknowledgement of the episode is its own notification.
    expect(one(service({ notification_type: 'ACKNOWLEDGEMENT' })).dedupKey).not.toBe(first.dedupKey);
  });

  it('without problem ids, identifies the notification by the state-change time (or the send time)', () => {
    const noIds = service({ problem_id: '', last_problem_id: '' });
    expect(one(noIds).dedupKey).toBe(JSON.stringify(['nagios', 'web1!HTTP', '2026-11-24T09:55:00.000Z', 'CRITICAL', 'PROBLEM']));
    const { last_state_change: _a, ...noChange } = noIds;
    expect(one(noChange).startsAt).toBe('2026-11-24T10:00:00.000Z');
    const { timestamp: _b, ...noTime } = noChange;
    // Nothing at all: when it arrived.
    expect(one(noTime).startsAt).toBe(now.toISOString());
  });

  it('derives the notification type from the state when it is missing, and reads the long output', () => {
    expect(one(service({ notification_type: '' })).labels.notification_type).toBe('PROBLEM');
    expect(one(service({ notification_type: '', state: 'OK' })).labels.notification_type).toBe('RECOVERY');
    // Nagios writes newlines in $LONGSERVICEOUTPUT$ as \n.
    const long = one(service({ long_plugin_output: 'line one\\nline "two"' }));
    expect(long.description).toBe('line one\nline "two"');
    expect(long.annotations.long_output).toBe('line one\\nline "two"');
    // Output with several lines (as Icinga writes it): the first line is the summary.
    expect(one(service({ plugin_output: 'CRITICAL - down\nretried 3 times\n' }))).toMatchObject({ summary: 'CRITICAL - down', description: 'retried 3 times' });
  });

  it('keeps plugin output that is too long, cut at 4096 bytes, rather than refusing the notification', () => {
    const long = 'é'.repeat(5000);
    const alert = one(service({ plugin_output: long }));
    expect(new TextEncoder().encode(alert.summary).length).toBeLessThanOrEqual(4096);
    expect(alert.summary.endsWith('…')).toBe(true);
    expect(bounded('short')).toBe('short');
  });

  it('names the field that is wrong', () => {
    expect(issuesOf(() => normalizeNagios({ ...service(), host_name: '' }, now))).toBe('host_name: must be the host name ($HOSTNAME$), not empty');
    expect(issuesOf(() => normalizeNagios({ ...service(), state: 'BURNING' }, now))).toBe(
      'state: must be a service state (OK, WARNING, CRITICAL, UNKNOWN), got "BURNING"',
    );
    // An unrendered template is not a notification.
    expect(issuesOf(() => normalizeNagios({ ...service(), state: '$SERVICESTATE$' }, now))).toContain('state: must be a service state');
    expect(issuesOf(() => normalizeNagios({ ...service(), state_type: 'MAYBE' }, now))).toBe('state_type: must be HARD or SOFT, got "MAYBE"');
    expect(issuesOf(() => normalizeNagios({ ...service(), timestamp: 'Tue Nov 24' }, now))).toContain('timestamp: must be a time in epoch seconds');
    expect(issuesOf(() => normalizeNagios({ ...service(), notification_type: 'PROBLEM; rm' }, now))).toContain('notification_type: must be a Nagios notification type');
    expect(issuesOf(() => normalizeNagios({ ...host(), state: '', host_state: '' }, now))).toContain('host_state: must be a host state');
    expect(issuesOf(() => normalizeNagios({ ...service(), service_description: 3 }, now))).toContain('service_description: must be a string');
    expect(issuesOf(() => normalizeNagios('PROBLEM web1', now))).toContain('(root): must be a JSON object');
    expect(issuesOf(() => normalizeNagios({ hello: 1 }, now))).toContain('(root): must be a JSON object: a notification from salve-notify');
    expect(issuesOf(() => normalizeNagios([service(), { ...service(), state: 'X' }], now))).toMatch(/^\[1\]\.state: /);
    expect(issuesOf(() => normalizeNagios(Array.from({ length: 1001 }, () => service()), now))).toContain('too many events: 1001');
  });

  it('reads a list as one alert per element', () => {
    expect(normalizeNagios([service(), host()], now).map((a) => a.fingerprint)).toEqual(['web1!HTTP', 'db2']);
  });
});

/** Icinga 2 event-stream objects written for Salve (the real ones are in the conformance test). */
const stateChange = (overrides: Record<string, unknown> = {}) => ({
  acknowledgement: false,
  check_result: { exit_status: 2, output: 'CRITICAL - load 31.2\nper-cpu 7.8', state: 2 },
  downtime_depth: 0,
  host: 'app3',
  service: 'load',
  state: 2,
  state_type: 1,
  timestamp: 1795514400.25,
  type: 'StateChange',
  ...overrides,
});

describe('normalizeNagios: Icinga 2 event-stream objects', () => {
  it('maps a StateChange', () => {
    expect(one(stateChange())).toEqual({
      source: 'nagios',
      status: 'firing',
      name: 'load',
      severity: 'critical',
      summary: 'CRITICAL - load 31.2',
      description: 'per-cpu 7.8',
      labels: { host: 'app3', service: 'load', state: 'CRITICAL', state_type: 'HARD', notification_type: 'PROBLEM' },
      annotations: { icinga_type: 'StateChange', output: 'CRITICAL - load 31.2\nper-cpu 7.8', downtime_depth: '0', acknowledged: 'false' },
      startsAt: '2026-11-24T10:00:00.250Z',
      endsAt: '',
      fingerprint: 'app3!load',
      dedupKey: JSON.stringify(['nagios', 'app3!load', 'icinga', 'StateChange', '1795514400.25', 'CRITICAL', 'HARD']),
      links: {},
      raw: stateChange(),
    });
  });

  it('reads the host state from `state`, not from the plugin exit code', () => {
    const { service: _s, ...hostEvent } = stateChange({ state: 1, check_result: { state: 2, output: 'PING CRITICAL' } });
    expect(one(hostEvent)).toMatchObject({ name: 'app3', fingerprint: 'app3', labels: { state: 'DOWN' }, severity: 'critical' });
    expect(one({ ...hostEvent, state: 0 })).toMatchObject({ status: 'resolved', labels: { state: 'UP', notification_type: 'RECOVERY' } });
    expect(issuesOf(() => normalizeNagios({ ...hostEvent, state: 3 }, now))).toBe('state: must be a host state number (0–2), got 3');
  });

  it('maps service states, SOFT/HARD and recovery', () => {
    expect([0, 1, 2, 3].map((state) => one(stateChange({ state })).labels.state)).toEqual(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']);
    expect(one(stateChange({ state_type: 0 })).labels.state_type).toBe('SOFT');
    const ok = one(stateChange({ state: 0, check_result: { output: 'OK - load 0.4' } }));
    expect(ok).toMatchObject({ status: 'resolved', severity: 'info', endsAt: '2026-11-24T10:00:00.250Z', labels: { notification_type: 'RECOVERY' } });
    // The same line posted again is the same notification; a later change is another.
    expect(one(stateChange()).dedupKey).toBe(one(stateChange()).dedupKey);
    expect(one(stateChange({ timestamp: 1795514460 })).dedupKey).not.toBe(one(stateChange()).dedupKey);
  });

  it('records acknowledgements and flapping with their own notification types', () => {
    const ack = one({ type: 'AcknowledgementSet', host: 'app3', service: 'load', state: 2, state_type: 1, author: 'ops', comment: 'on it', timestamp: 1795514500, acknowledgement_type: 1, notify: true, expiry: 0 });
    expect(ack).toMatchObject({ status: 'firing', summary: 'Acknowledged by ops: on it', labels: { notification_type: 'ACKNOWLEDGEMENT' }, annotations: { author: 'ops', comment: 'on it' } });
    expect(one({ type: 'AcknowledgementCleared', host: 'app3', service: 'load', state: 2, state_type: 1, timestamp: 1795514600 }).labels.notification_type).toBe('ACKNOWLEDGEMENTCLEARED');
    expect(one({ type: 'Flapping', host: 'app3', service: 'load', state: 1, state_type: 0, is_flapping: true, timestamp: 1795514700 })).toMatchObject({
      summary: 'Flapping started',
      labels: { notification_type: 'FLAPPINGSTART' },
    });
    expect(one({ type: 'Flapping', host: 'app3', service: 'load', state: 0, state_type: 1, is_flapping: false, timestamp: 1795514800 }).labels.notification_type).toBe('FLAPPINGEND');
  });

  it('refuses other event types and broken objects, naming the field', () => {
    expect(issuesOf(() => normalizeNagios({ type: 'CheckResult', host: 'app3', check_result: {}, timestamp: 1 }, now))).toBe(
      'type: Icinga 2 event type "CheckResult" is not read: subscribe to StateChange (and AcknowledgementSet, AcknowledgementCleared, Flapping to record them)',
    );
    expect(issuesOf(() => normalizeNagios({ type: 'DowntimeAdded', downtime: { host_name: 'app3' }, timestamp: 1 }, now))).toContain('type: Icinga 2 event type "DowntimeAdded"');
    expect(issuesOf(() => normalizeNagios({ ...stateChange(), state: 'CRITICAL' }, now))).toContain('state: must be the state number');
    expect(issuesOf(() => normalizeNagios({ ...stateChange(), timestamp: undefined }, now))).toContain('timestamp: must be the event time in epoch seconds');
    expect(issuesOf(() => normalizeNagios({ ...stateChange(), host: undefined }, now))).toContain('host: must be the host name');
  });
});

describe('source.nagios: which notifications start a flow', () => {
  const starts = (body: unknown, extra: object = {}) => nagiosAdapter.accepts(config(extra), one(body));

  it('PROBLEM in a HARD state starts; RECOVERY only with on: resolved or both', () => {
    expect(starts(service())).toBe(true);
    expect(starts(service({ notification_type: 'RECOVERY', state: 'OK' }))).toBe(false);
    expect(starts(service({ notification_type: 'RECOVERY', state: 'OK' }), { on: 'both' })).toBe(true);
    expect(starts(service(), { on: 'resolved' })).toBe(false);
  });

  it('acknowledgements, flapping, downtime and custom notifications are recorded, never started', () => {
    for (const type of ['ACKNOWLEDGEMENT', 'FLAPPINGSTART', 'FLAPPINGSTOP', 'FLAPPINGDISABLED', 'DOWNTIMESTART', 'DOWNTIMEEND', 'DOWNTIMECANCELLED', 'CUSTOM']) {
      expect(starts(service({ notification_type: type }), { on: 'both' }), type).toBe(false);
    }
    expect(starts({ type: 'AcknowledgementSet', host: 'app3', service: 'load', state: 2, state_type: 1, timestamp: 1795514500 }, { on: 'both' })).toBe(false);
  });

  it('hardOnly (default): SOFT states start nothing; off, they do', () => {
    expect(config().hardOnly).toBe(true);
    expect(starts(service({ state_type: 'SOFT' }))).toBe(false);
    expect(starts(service({ state_type: 'SOFT' }), { hardOnly: false })).toBe(true);
    expect(starts(stateChange({ state_type: 0 }))).toBe(false);
    expect(starts(stateChange({ state_type: 0 }), { hardOnly: false })).toBe(true);
    // No state type given: Nagios notifies on hard states only.
    expect(starts(service({ state_type: '' }))).toBe(true);
  });

  it('an Icinga object in downtime starts nothing (Nagios sends no notification then either)', () => {
    expect(starts(stateChange())).toBe(true);
    expect(starts(stateChange({ downtime_depth: 1 }))).toBe(false);
  });

  it('acceptsNagios is what the adapter uses', () => {
    expect(nagiosAdapter.accepts).toBe(acceptsNagios);
  });
});

describe('source.nagios definition', () => {
  it('requires path and auth; defaults on: firing and hardOnly: true', () => {
    expect(NagiosConfigSchema.safeParse({}).error!.issues.map((i) => i.path.join('.'))).toEqual(['path', 'auth']);
    expect(config()).toMatchObject({ on: 'firing', hardOnly: true });
    expect(NagiosConfigSchema.safeParse({ path: 'nagios', auth: { type: 'none' }, hardonly: false }).success).toBe(false);
  });

  it('summarizes and authenticates like the other sources', () => {
    expect(nagiosSource.summary(config({ auth: { type: 'bearer', token: { secret: 'NAGIOS_TOKEN' } } }))).toBe('/hooks/nagios · bearer · firing');
    expect(nagiosSource.summary(config({ hardOnly: false }))).toBe('/hooks/nagios · no auth · firing · soft states too');
    const c = config({ auth: { type: 'bearer', token: { secret: 'NAGIOS_TOKEN' } } });
    const request = (authorization: string) => ({ headers: { authorization }, rawBody: new Uint8Array() });
    const ctx = (secret: string | undefined) => ({ secrets: () => secret, now: Date.now(), fetch });
    expect(nagiosAdapter.authenticate(c, request('Bearer s3cret'), ctx('s3cret'))).toEqual({ ok: true });
    expect(nagiosAdapter.authenticate(c, request('Bearer nope'), ctx('s3cret'))).toMatchObject({ ok: false });
    expect(nagiosAdapter.authenticate(c, request('Bearer s3cret'), ctx(undefined))).toMatchObject({ ok: false });
  });

  it('its samples are a problem that starts and a recovery that does not', () => {
    const [problem, recovery] = nagiosSamples.map((s) => one(JSON.parse(JSON.stringify(s.payload))));
    expect(problem).toMatchObject({ name: 'DiskFull', status: 'firing', severity: 'critical', fingerprint: 'db1.example.internal!DiskFull' });
    expect(recovery).toMatchObject({ name: 'DiskFull', status: 'resolved', fingerprint: problem!.fingerprint });
    expect(problem!.description).toBe('/var is used by "postgresql"\nless than 5% left');
    expect([nagiosAdapter.accepts(config(), problem!), nagiosAdapter.accepts(config(), recovery!)]).toEqual([true, false]);
  });
});
