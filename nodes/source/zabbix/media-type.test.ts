import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { IngestRequest } from '../../source-adapter.js';
import { ZabbixConfigSchema } from './definition.js';
import { normalizeZabbix, zabbixAdapter } from './ingest.js';
import { TEST_NOW } from '../../../test/kit/nodes.js';
import { hmacSha256Hex } from '../../../test/kit/hmac.js';

const SCRIPT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/zabbix/salve-media-type.js'), 'utf8');
const SECRET = 'media-type-secret';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Runs the shipped media type script as Zabbix does: the script is the body of a function of
 * `value` (the parameters as JSON), with Zabbix's HttpRequest, Zabbix.log and hmac() around it.
 */
function runMediaType(params: Record<string, string>, opts: { status?: number; withHmac?: boolean; now?: number } = {}) {
  const sent: Sent[] = [];
  class HttpRequest {
    private headers: Record<string, string> = {};
    addHeader(line: string) {
      const at = line.indexOf(':');
      this.headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
    setProxy() {}
    post(url: string, body: string) {
      sent.push({ url, headers: { ...this.headers }, body });
      return '{"eventId":"ev_1"}';
    }
    getStatus() {
      return opts.status ?? 202;
    }
  }
  const sandbox: Record<string, unknown> = {
    value: JSON.stringify(params),
    HttpRequest,
    Zabbix: { log: () => {} },
    Date: class extends Date {
      static override now() {
        return opts.now ?? Date.now();
      }
    },
  };
  // Zabbix's hmac() signs the UTF-8 bytes of its string arguments and answers lower-case hex.
  if (opts.withHmac !== false) sandbox.hmac = (type: string, key: string, data: string) => createHmac(type, key).update(data, 'utf8').digest('hex');
  const result = runInNewContext(`(function (value) {\n${SCRIPT}\n})(value)`, sandbox) as unknown;
  return { result, sent };
}

/** The parameters as Zabbix renders them for a problem (names as docs/sources.md lists them). */
function params(extra: Record<string, string> = {}): Record<string, string> {
  return {
    salve_url: 'https://salve.example.internal:8470/hooks/zabbix',
    salve_secret: SECRET,
    event_id: '5521',
    event_value: '1',
    event_update_status: '0',
    event_update_action: '{EVENT.UPDATE.ACTION}',
    event_update_message: '{EVENT.UPDATE.MESSAGE}',
    event_recovery_id: '{EVENT.RECOVERY.ID}',
    event_name: 'Free disk space on /var is 3%',
    event_nseverity: '5',
    event_severity: 'Disaster',
    event_timestamp: '1795511550',
    event_recovery_timestamp: '{EVENT.RECOVERY.TIMESTAMP}',
    event_date: '2026.11.24',
    event_time: '09:12:30',
    event_tags_json: '[{"tag":"service","value":"postgresql"},{"tag":"mountpoint","value":"/var"}]',
    event_tags: 'service:postgresql, mountpoint:/var',
    event_opdata: 'Free: 3 %',
    trigger_id: '23811',
    trigger_name: 'DiskFull',
    trigger_status: 'PROBLEM',
    trigger_description: 'Less than 4% is left.',
    host_name: 'db1.example.internal',
    host_ip: '10.0.4.21',
    zabbix_url: 'https://zabbix.example.internal',
    ...extra,
  };
}

const config = ZabbixConfigSchema.parse({ path: 'zabbix', auth: { type: 'hmac', secret: { secret: 'ZABBIX_HMAC' } } });
const asDelivery = (sent: Sent): IngestRequest => ({ headers: { 'content-type': 'application/json', ...sent.headers }, rawBody: new TextEncoder().encode(sent.body) });
const verify = (sent: Sent, now = Date.now()) => zabbixAdapter.authenticate(config, asDelivery(sent), { secrets: (n) => (n === 'ZABBIX_HMAC' ? SECRET : undefined), now, fetch });

describe('docs/zabbix/salve-media-type.js', () => {
  it('is plain ES5, as Zabbix\'s Duktape runs it', () => {
    const code = SCRIPT.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
    expect(code).not.toMatch(/=>|\blet\s|\bconst\s|`|\bclass\s|\.\.\./);
  });

  it('posts a signed document that source.zabbix verifies and reads', async () => {
    const { result, sent } = runMediaType(params());
    expect(result).toBe('OK');
    expect(sent).toHaveLength(1);
    const [delivery] = sent;
    expect(delivery!.url).toBe('https://salve.example.internal:8470/hooks/zabbix');
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-salve-timestamp']).toMatch(/^\d{10}$/);
    expect(await verify(delivery!)).toEqual({ ok: true });
    const [alert] = normalizeZabbix(JSON.parse(delivery!.body), TEST_NOW);
    expect(alert).toMatchObject({
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: 'Free disk space on /var is 3%',
      labels: { service: 'postgresql', mountpoint: '/var', host: 'db1.example.internal', host_ip: '10.0.4.21' },
      annotations: { opdata: 'Free: 3 %', description: 'Less than 4% is left.' },
      startsAt: '2026-11-24T09:12:30.000Z',
      fingerprint: '23811:5521',
      links: { source: 'https://zabbix.example.internal/tr_events.php?triggerid=23811&eventid=5521' },
    });
    // Unresolved macros are sent empty, not as their own text.
    expect(JSON.parse(delivery!.body)).toMatchObject({ recoveryEventId: '', updateAction: '', recoveryTimestamp: null });
  });

  it('a recovery keeps the problem\'s identity', () => {
    const { sent } = runMediaType(
      params({ event_value: '0', event_recovery_id: '5600', event_recovery_timestamp: '1795513620', trigger_status: 'OK' }),
    );
    const [alert] = normalizeZabbix(JSON.parse(sent[0]!.body), TEST_NOW);
    expect(alert).toMatchObject({ status: 'resolved', fingerprint: '23811:5521', endsAt: '2026-11-24T09:47:00.000Z' });
  });

  it('a problem update is flagged and dedups with the problem', () => {
    const { sent } = runMediaType(params({ event_update_status: '1', event_update_action: 'acknowledged', event_update_message: 'on it' }));
    const [update] = normalizeZabbix(JSON.parse(sent[0]!.body), TEST_NOW);
    const [problem] = normalizeZabbix(JSON.parse(runMediaType(params()).sent[0]!.body), TEST_NOW);
    expect(update!.dedupKey).toBe(problem!.dedupKey);
    expect(update!.annotations).toMatchObject({ update_action: 'acknowledged', update_message: 'on it' });
  });

  it('falls back to {EVENT.DATE} {EVENT.TIME} (server local time) and {EVENT.TAGS}; no {$ZABBIX.URL}, no link', () => {
    const { sent } = runMediaType(
      params({ event_timestamp: '{EVENT.TIMESTAMP}', event_tags_json: '{EVENT.TAGSJSON}', zabbix_url: '{$ZABBIX.URL}', host_ip: 'UNKNOWN' }),
    );
    const [alert] = normalizeZabbix(JSON.parse(sent[0]!.body), TEST_NOW);
    expect(alert!.startsAt).toBe(new Date(2026, 10, 24, 9, 12, 30).toISOString());
    expect(alert!.labels).toEqual({ service: 'postgresql', mountpoint: '/var', host: 'db1.example.internal' });
    expect(alert!.links).toEqual({});
  });

  it('sends an ASCII-only body, so the signed bytes are the sent bytes; names survive', async () => {
    const { sent } = runMediaType(params({ trigger_name: 'Диск заполнен — 98% 🔥', host_name: 'höst-1' }));
    expect(sent[0]!.body).toMatch(/^[\x20-\x7e]*$/);
    expect(await verify(sent[0]!)).toEqual({ ok: true });
    const [alert] = normalizeZabbix(JSON.parse(sent[0]!.body), TEST_NOW);
    expect(alert!.name).toBe('Диск заполнен — 98% 🔥');
    expect(alert!.labels.host).toBe('höst-1');
  });

  it('signs with the current time: Salve refuses the same bytes more than 300 s later', async () => {
    const { sent } = runMediaType(params(), { now: Date.now() - 301_000 });
    expect(await verify(sent[0]!)).toMatchObject({ ok: false });
    const signedNow = runMediaType(params()).sent[0]!;
    // And a signature is over timestamp and body: swapping either breaks it.
    const other = runMediaType(params({ event_nseverity: '1' })).sent[0]!;
    expect(await verify({ ...signedNow, body: other.body })).toMatchObject({ ok: false });
    expect(hmacSha256Hex(SECRET, `${signedNow.headers['x-salve-timestamp']}:${signedNow.body}`)).toBe(
      signedNow.headers['x-salve-signature'],
    );
  });

  it('throws (so Zabbix retries or reports) on a refused delivery, a missing secret or URL, or no hmac()', () => {
    expect(() => runMediaType(params(), { status: 503 })).toThrow(/Salve delivery failed: Salve answered 503/);
    expect(() => runMediaType(params(), { status: 401 })).toThrow(/answered 401/);
    expect(() => runMediaType(params({ salve_secret: '' }))).toThrow(/salve_secret is not set/);
    expect(() => runMediaType(params({ salve_secret: '{$SALVE.SECRET}' }))).toThrow(/salve_secret is not set/);
    expect(() => runMediaType(params({ salve_url: 'salve.example.internal' }))).toThrow(/salve_url must be/);
    expect(() => runMediaType(params(), { withHmac: false })).toThrow(/no hmac\(\)/);
  });
});
