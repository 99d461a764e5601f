import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_ONLY } from '../../nodes/source-adapter.js';
import { NagiosConfigSchema } from '../../nodes/source/nagios/definition.js';
import { nagiosAdapter } from '../../nodes/source/nagios/ingest.js';
import { parseEnvFile, renderWithSalveNotify } from '../kit/salve-notify.js';
import { FIXTURES_DIR, fixtureBytes, fixtureFiles, fixtureHeaders, fixtureJson, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';

/**
 * The team's real Nagios and Icinga material through source.nagios: Icinga 2 event-stream objects
 * as a forwarder posts them, and the NAGIOS_* environments a notification command sees, rendered
 * by the documented salve-notify script itself.
 */
const TOKEN = 'conformance-token';
const config = (extra: object = {}) => NagiosConfigSchema.parse({ path: 'nagios', auth: { type: 'bearer', token: { secret: 'NAGIOS_TOKEN' } }, ...extra });
const ctx = { secrets: (name: string) => (name === 'NAGIOS_TOKEN' ? TOKEN : undefined), now: Date.now(), fetch };

/** Authenticates `rawBody` as a delivery and normalizes it, as the hook would. */
function ingest(rawBody: Uint8Array, headers: Record<string, string> = {}) {
  const all = { 'content-type': 'application/json', ...headers, authorization: `Bearer ${TOKEN}` };
  expect(nagiosAdapter.contentTypes ?? JSON_ONLY).toContain(all['content-type']);
  expect(nagiosAdapter.authenticate(config(), { headers: all, rawBody }, ctx)).toEqual({ ok: true });
  const alerts = nagiosAdapter.normalize(config(), JSON.parse(new TextDecoder().decode(rawBody)), normalizeContext());
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
}

const starts = (alert: ReturnType<typeof ingest>, extra: object = {}) => nagiosAdapter.accepts(config(extra), alert);

describe.skipIf(!fixturesAvailable)('conformance: Icinga 2 event-stream objects', () => {
  const files = fixturesAvailable ? fixtureFiles('icinga2') : [];

  it('finds the objects, and every one normalizes', () => {
    expect(files).toEqual(['icinga2/acknowledgementset-service.json', 'icinga2/statechange-host-down-soft.json', 'icinga2/statechange-service-critical-soft.json']);
    for (const file of files) {
      const alert = ingest(fixtureBytes(file), fixtureHeaders(file));
      const event = fixtureJson(file) as any;
      // Name and identity: host!service, or the host for host events.
      expect(alert.fingerprint).toBe(event.service ? `${event.host}!${event.service}` : event.host);
      expect(alert.name).toBe(event.service ?? event.host);
      expect(Date.parse(alert.startsAt)).toBe(Math.round(event.timestamp * 1000));
      expect(alert.raw).toEqual(event);
    }
  });

  it('statechange-host-down-soft: host state 1 is DOWN (the plugin code 2 is not the host state); SOFT starts nothing by default', () => {
    const alert = ingest(fixtureBytes('icinga2/statechange-host-down-soft.json'));
    expect(alert).toMatchObject({
      status: 'firing',
      severity: 'critical',
      name: 'dummy-158',
      labels: { host: 'dummy-158', state: 'DOWN', state_type: 'SOFT', notification_type: 'PROBLEM' },
      summary: 'If two people love each other, there can be no happy end to it.',
      description: '-- Ernest Hemingway',
      startsAt: '2023-10-13T09:11:18.204Z',
      endsAt: '',
    });
    expect(alert.labels).not.toHaveProperty('service');
    expect(starts(alert)).toBe(false);
    expect(starts(alert, { hardOnly: false })).toBe(true);
  });

  it('statechange-service-critical-soft: service state 2 is CRITICAL, named by the service', () => {
    const alert = ingest(fixtureBytes('icinga2/statechange-service-critical-soft.json'));
    expect(alert).toMatchObject({
      status: 'firing',
      severity: 'critical',
      name: 'random fortune',
      fingerprint: 'dummy-280!random fortune',
      labels: { host: 'dummy-280', service: 'random fortune', state: 'CRITICAL', state_type: 'SOFT' },
      summary: "You're growing out of some of your problems, but there are others that",
      description: "you're growing into.",
    });
    expect(starts(alert)).toBe(false);
    expect(starts(alert, { hardOnly: false })).toBe(true);
    // The same line forwarded twice is one notification.
    expect(ingest(fixtureBytes('icinga2/statechange-service-critical-soft.json')).dedupKey).toBe(alert.dedupKey);
  });

  it('acknowledgementset-service: recorded as an ACKNOWLEDGEMENT, never started', () => {
    const alert = ingest(fixtureBytes('icinga2/acknowledgementset-service.json'));
    expect(alert).toMatchObject({
      status: 'firing',
      name: 'ssh',
      fingerprint: 'docker-master!ssh',
      labels: { state: 'CRITICAL', state_type: 'HARD', notification_type: 'ACKNOWLEDGEMENT' },
      summary: 'Acknowledged by icingaadmin: will be fixed soon',
      annotations: { author: 'icingaadmin', comment: 'will be fixed soon', icinga_type: 'AcknowledgementSet' },
    });
    expect(starts(alert, { on: 'both', hardOnly: false })).toBe(false);
  });
});

describe.skipIf(!fixturesAvailable)('conformance: Nagios notification environments through salve-notify', () => {
  const envFiles = fixturesAvailable ? fixtureFiles('nagios').filter((f) => f.endsWith('.env')) : [];
  const render = (file: string) => renderWithSalveNotify(parseEnvFile(join(FIXTURES_DIR, file)));

  it('finds the environments, and the script turns each into JSON that normalizes', () => {
    expect(envFiles).toEqual(['nagios/service-problem-warning.env', 'nagios/service-recovery-ok.env']);
    for (const file of envFiles) {
      const env = parseEnvFile(join(FIXTURES_DIR, file));
      const json = render(file);
      const body = JSON.parse(json);
      expect(body).toMatchObject({ host_name: env.NAGIOS_HOSTNAME, service_description: env.NAGIOS_SERVICEDESC, plugin_output: env.NAGIOS_SERVICEOUTPUT });
      const alert = ingest(new TextEncoder().encode(json));
      expect(alert).toMatchObject({ name: '[DISK] /', fingerprint: 'TEST HOSTNAME![DISK] /', summary: env.NAGIOS_SERVICEOUTPUT });
      expect(alert.labels).toMatchObject({ host: 'TEST HOSTNAME', service: '[DISK] /', address: '192.168.0.1' });
    }
  });

  it('service-problem-warning: PROBLEM WARNING fires with severity warning and starts a flow', () => {
    const alert = ingest(new TextEncoder().encode(render('nagios/service-problem-warning.env')));
    expect(alert).toMatchObject({ status: 'firing', severity: 'warning', labels: { state: 'WARNING', notification_type: 'PROBLEM', state_type: 'HARD' } });
    expect(alert.annotations.host_state).toBe('UP');
    // No SERVICESTATETYPE in this environment: Nagios only notifies on hard states.
    expect(starts(alert)).toBe(true);
  });

  it('service-recovery-ok: RECOVERY OK is resolved, the same alert, and starts nothing by default', () => {
    const problem = ingest(new TextEncoder().encode(render('nagios/service-problem-warning.env')));
    const recovery = ingest(new TextEncoder().encode(render('nagios/service-recovery-ok.env')));
    expect(recovery).toMatchObject({ status: 'resolved', severity: 'info', fingerprint: problem.fingerprint, labels: { notification_type: 'RECOVERY', state: 'OK' } });
    expect(recovery.endsAt).not.toBe('');
    expect(starts(recovery)).toBe(false);
    expect(starts(recovery, { on: 'resolved' })).toBe(true);
  });

  it('the macro template (unrendered) gives, rendered safely with the same macros, the same alert as salve-notify', () => {
    const template = fixtureJson('nagios/service-notification-json-macro-template.json') as Record<string, string>;
    // It is a template: every value is still a $MACRO$.
    expect(Object.values(template).every((v) => /^\$[A-Z]+\$$/.test(v))).toBe(true);
    /** Renders like Nagios (unknown or unset macros are empty) but JSON-safe: substitute in parsed values. */
    const renderTemplate = (env: Record<string, string>) =>
      JSON.stringify(Object.fromEntries(Object.entries(template).map(([k, v]) => [k, v.replace(/\$([A-Z]+)\$/g, (_, m: string) => env[`NAGIOS_${m}`] ?? '')])));
    for (const file of envFiles) {
      const env = parseEnvFile(join(FIXTURES_DIR, file));
      const fromTemplate = ingest(new TextEncoder().encode(renderTemplate(env)));
      const fromScript = ingest(new TextEncoder().encode(render(file)));
      for (const field of ['status', 'severity', 'name', 'fingerprint', 'summary'] as const) expect(fromTemplate[field], `${file} ${field}`).toBe(fromScript[field]);
      expect(starts(fromTemplate)).toBe(starts(fromScript));
    }
    // Plugin output with quotes, backslashes and newlines: still one valid notification.
    const hostile = { ...parseEnvFile(join(FIXTURES_DIR, 'nagios/service-problem-warning.env')), NAGIOS_SERVICEOUTPUT: 'DISK WARNING - "/" at 81%\\ (C:\\new)\nsecond line' };
    expect(ingest(new TextEncoder().encode(renderTemplate(hostile))).summary).toBe('DISK WARNING - "/" at 81%\\ (C:\\new)');
    expect(ingest(new TextEncoder().encode(renderWithSalveNotify(hostile))).summary).toBe('DISK WARNING - "/" at 81%\\ (C:\\new)');
  });
});
