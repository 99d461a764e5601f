import { describe, expect, it } from 'vitest';
import type { IngestRequest, SecretResolver } from '../source-adapter.js';
import { HmacSecretsSchema, secretRefs } from './hmac-schema.js';
import { hmacHex, signedBytes, verifyHmac, type HmacCheck } from './hmac.js';
import { hmacSha256Hex } from '../../test/kit/hmac.js';

const NOW = Date.parse('2026-11-24T09:12:30Z');
const nowSeconds = Math.floor(NOW / 1000);
const secrets: SecretResolver = (name) => ({ CURRENT: 'current-secret', OLD: 'old-secret', EMPTY: '' })[name];
const ctx = { secrets, now: NOW };
const body = new TextEncoder().encode('{"alerts":[{"status":"firing","labels":{"alertname":"DiskFull"}}]}\n');
const req = (headers: Record<string, string>, rawBody = body): IngestRequest => ({ headers, rawBody });

const bodyOnly: HmacCheck = { secrets: [{ secret: 'CURRENT' }], signatureHeader: 'X-Grafana-Alerting-Signature' };
const timestamped: HmacCheck = { ...bodyOnly, timestampHeader: 'X-Grafana-Alerting-Timestamp' };
const stamped = (ts: number, secret = 'current-secret', rawBody = body) => ({
  'x-grafana-alerting-timestamp': String(ts),
  'x-grafana-alerting-signature': hmacSha256Hex(secret, Buffer.concat([Buffer.from(`${ts}:`), rawBody])),
});

describe('verifyHmac: body only', () => {
  it('accepts the hex HMAC-SHA256 of the exact bytes (either hex case, surrounding space)', () => {
    const signature = hmacSha256Hex('current-secret', body);
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': signature }), ctx)).toEqual({ ok: true });
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': ` ${signature.toUpperCase()} ` }), ctx)).toEqual({ ok: true });
    expect(hmacHex('current-secret', body)).toBe(signature);
  });

  it('refuses a wrong secret, a changed byte, a missing or malformed header, or the signature in another header', () => {
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': hmacSha256Hex('guess', body) }), ctx)).toEqual({
      ok: false,
      reason: 'wrong signature in X-Grafana-Alerting-Signature',
    });
    const tampered = new Uint8Array(body);
    tampered[20] = tampered[20]! ^ 1;
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body) }, tampered), ctx).ok).toBe(false);
    // A trailing newline is part of the bytes.
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body.slice(0, -1)) }), ctx).ok).toBe(false);
    expect(verifyHmac(bodyOnly, req({}), ctx)).toEqual({ ok: false, reason: 'missing X-Grafana-Alerting-Signature header' });
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': `sha256=${hmacSha256Hex('current-secret', body)}` }), ctx)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Signature is not a hex HMAC-SHA256',
    });
    expect(verifyHmac(bodyOnly, req({ 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body).slice(0, 63) }), ctx).ok).toBe(false);
    expect(verifyHmac(bodyOnly, req({ 'x-signature': hmacSha256Hex('current-secret', body) }), ctx)).toEqual({
      ok: false,
      reason: 'missing X-Grafana-Alerting-Signature header',
    });
  });

  it('fails closed when the secret is not set or empty, even for the signature made with an empty key', () => {
    for (const name of ['MISSING', 'EMPTY']) {
      const check = { ...bodyOnly, secrets: [{ secret: name }] };
      expect(verifyHmac(check, req({ 'x-grafana-alerting-signature': hmacSha256Hex('', body) }), ctx)).toEqual({
        ok: false,
        reason: `secret ${name} is not set`,
      });
    }
    const neither = { ...bodyOnly, secrets: [{ secret: 'MISSING' }, { secret: 'EMPTY' }] };
    expect(verifyHmac(neither, req({ 'x-grafana-alerting-signature': hmacSha256Hex('', body) }), ctx)).toEqual({
      ok: false,
      reason: 'none of the secrets MISSING, EMPTY is set',
    });
  });

  it('accepts either secret of a rotation pair, and skips one that is not set', () => {
    const pair = { ...bodyOnly, secrets: [{ secret: 'CURRENT' }, { secret: 'OLD' }] };
    expect(verifyHmac(pair, req({ 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body) }), ctx)).toEqual({ ok: true });
    expect(verifyHmac(pair, req({ 'x-grafana-alerting-signature': hmacSha256Hex('old-secret', body) }), ctx)).toEqual({ ok: true });
    expect(verifyHmac(pair, req({ 'x-grafana-alerting-signature': hmacSha256Hex('older-secret', body) }), ctx).ok).toBe(false);
    const halfRemoved = { ...bodyOnly, secrets: [{ secret: 'CURRENT' }, { secret: 'MISSING' }] };
    expect(verifyHmac(halfRemoved, req({ 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body) }), ctx)).toEqual({ ok: true });
  });
});

describe('verifyHmac: timestamp + ":" + body', () => {
  it('accepts a fresh timestamp, up to 300 s either way', () => {
    for (const ts of [nowSeconds, nowSeconds - 300, nowSeconds + 300]) {
      expect(verifyHmac(timestamped, req(stamped(ts)), ctx), String(ts - nowSeconds)).toEqual({ ok: true });
    }
  });

  it('refuses an expired or a future timestamp, even correctly signed', () => {
    expect(verifyHmac(timestamped, req(stamped(nowSeconds - 301)), ctx)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Timestamp is 301 s old (expired: at most 300 s)',
    });
    expect(verifyHmac(timestamped, req(stamped(nowSeconds + 301)), ctx)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Timestamp is 301 s in the future (at most 300 s)',
    });
  });

  it('signs the timestamp too: changing it, dropping it or signing the body alone fails', () => {
    const headers = stamped(nowSeconds);
    expect(verifyHmac(timestamped, req({ ...headers, 'x-grafana-alerting-timestamp': String(nowSeconds - 1) }), ctx)).toEqual({
      ok: false,
      reason: 'wrong signature in X-Grafana-Alerting-Signature',
    });
    expect(verifyHmac(timestamped, req({ 'x-grafana-alerting-signature': headers['x-grafana-alerting-signature'] }), ctx)).toEqual({
      ok: false,
      reason: 'missing X-Grafana-Alerting-Timestamp header',
    });
    expect(
      verifyHmac(timestamped, req({ 'x-grafana-alerting-timestamp': String(nowSeconds), 'x-grafana-alerting-signature': hmacSha256Hex('current-secret', body) }), ctx).ok,
    ).toBe(false);
    // Milliseconds are not seconds.
    expect(verifyHmac(timestamped, req({ ...headers, 'x-grafana-alerting-timestamp': `${nowSeconds}.5` }), ctx)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Timestamp is not a Unix time in seconds',
    });
    expect(verifyHmac(timestamped, req(stamped(NOW)), ctx).ok).toBe(false);
  });

  it('checks rotation pairs and unset secrets the same way', () => {
    const pair = { ...timestamped, secrets: [{ secret: 'CURRENT' }, { secret: 'OLD' }] };
    expect(verifyHmac(pair, req(stamped(nowSeconds, 'old-secret')), ctx)).toEqual({ ok: true });
    expect(verifyHmac({ ...timestamped, secrets: [{ secret: 'MISSING' }] }, req(stamped(nowSeconds, '')), ctx)).toEqual({
      ok: false,
      reason: 'secret MISSING is not set',
    });
  });

  it('signedBytes is timestamp, colon, then the raw bytes', () => {
    expect(signedBytes(new TextEncoder().encode('{}'), '17')).toEqual(Buffer.from('17:{}'));
    expect(signedBytes(new TextEncoder().encode('{}'))).toEqual(Buffer.from('{}'));
  });

  it('never puts a secret value in a reason', () => {
    const reasons = [
      verifyHmac(timestamped, req(stamped(nowSeconds, 'nope')), ctx),
      verifyHmac(timestamped, req(stamped(nowSeconds - 1000)), ctx),
      verifyHmac({ ...timestamped, secrets: [{ secret: 'OLD' }] }, req(stamped(nowSeconds)), ctx),
    ].map((r) => (r.ok ? '' : r.reason));
    for (const reason of reasons) {
      expect(reason).not.toMatch(/current-secret|old-secret/);
      expect(reason).not.toMatch(/[0-9a-f]{64}/);
    }
  });
});

describe('HmacSecretsSchema', () => {
  it('takes one reference or a list of one or two', () => {
    expect(secretRefs(HmacSecretsSchema.parse({ secret: 'A' }))).toEqual([{ secret: 'A' }]);
    expect(secretRefs(HmacSecretsSchema.parse([{ secret: 'A' }, { secret: 'B' }]))).toEqual([{ secret: 'A' }, { secret: 'B' }]);
    expect(HmacSecretsSchema.safeParse([]).success).toBe(false);
    expect(HmacSecretsSchema.safeParse([{ secret: 'A' }, { secret: 'B' }, { secret: 'C' }]).success).toBe(false);
    expect(HmacSecretsSchema.safeParse('plain-text-secret').success).toBe(false);
    expect(HmacSecretsSchema.safeParse({ secret: 'lower' }).success).toBe(false);
  });
});
