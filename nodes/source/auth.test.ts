import { describe, expect, it } from 'vitest';
import type { IngestRequest, SecretResolver } from '../source-adapter.js';
import { AuthConfigSchema, type AuthConfig } from './auth.js';
import { verifyAuth } from './verify-auth.js';

const secrets: SecretResolver = (name) => ({ AM_TOKEN: 's3cret-token', AM_PASS: 'pa:ss w0rd', EMPTY: '' })[name];
const req = (headers: Record<string, string>): IngestRequest => ({ headers, rawBody: new Uint8Array() });
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('AuthConfigSchema', () => {
  it('is required: a missing auth says how to write "none" explicitly', () => {
    const r = AuthConfigSchema.safeParse(undefined);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toContain('{"type":"none"}');
  });

  it('accepts each variant and rejects unknown types and plain-text secrets', () => {
    for (const ok of [
      { type: 'bearer', token: { secret: 'AM_TOKEN' } },
      { type: 'basic', username: 'alertmanager', password: { secret: 'AM_PASS' } },
      { type: 'header', name: 'X-Salve-Token', value: { secret: 'AM_TOKEN' } },
      { type: 'none' },
    ]) {
      expect(AuthConfigSchema.safeParse(ok).success).toBe(true);
    }
    expect(AuthConfigSchema.safeParse({ type: 'hmac' }).error!.issues[0]!.path).toEqual(['type']);
    const plain = AuthConfigSchema.safeParse({ type: 'bearer', token: 'change-me' });
    expect(plain.error!.issues[0]!.path).toEqual(['token']);
    expect(AuthConfigSchema.safeParse({ type: 'header', name: 'bad header', value: { secret: 'X' } }).error!.issues[0]!.path).toEqual(['name']);
    expect(AuthConfigSchema.safeParse({ type: 'basic', username: 'a:b', password: { secret: 'X' } }).error!.issues[0]!.path).toEqual([
      'username',
    ]);
  });
});

describe('verifyAuth', () => {
  const bearer: AuthConfig = { type: 'bearer', token: { secret: 'AM_TOKEN' } };
  const basicAuth: AuthConfig = { type: 'basic', username: 'am', password: { secret: 'AM_PASS' } };
  const header: AuthConfig = { type: 'header', name: 'X-Salve-Token', value: { secret: 'AM_TOKEN' } };

  it('bearer: accepts the right token (any scheme case), rejects wrong, missing or other schemes', () => {
    expect(verifyAuth(bearer, req({ authorization: 'Bearer s3cret-token' }), secrets)).toEqual({ ok: true });
    expect(verifyAuth(bearer, req({ authorization: 'bearer s3cret-token' }), secrets)).toEqual({ ok: true });
    expect(verifyAuth(bearer, req({ authorization: 'Bearer s3cret-tokeN' }), secrets)).toEqual({ ok: false, reason: 'wrong bearer token' });
    expect(verifyAuth(bearer, req({ authorization: 'Bearer s3cret-token-and-more' }), secrets).ok).toBe(false);
    expect(verifyAuth(bearer, req({}), secrets)).toEqual({ ok: false, reason: 'missing Authorization header' });
    expect(verifyAuth(bearer, req({ authorization: basic('am', 's3cret-token') }), secrets).ok).toBe(false);
  });

  it('basic: accepts the right user and password (password may contain ":"), rejects either one wrong', () => {
    expect(verifyAuth(basicAuth, req({ authorization: basic('am', 'pa:ss w0rd') }), secrets)).toEqual({ ok: true });
    expect(verifyAuth(basicAuth, req({ authorization: basic('am', 'pa:ss w0rD') }), secrets).ok).toBe(false);
    expect(verifyAuth(basicAuth, req({ authorization: basic('root', 'pa:ss w0rd') }), secrets).ok).toBe(false);
    expect(verifyAuth(basicAuth, req({ authorization: 'Bearer pa:ss w0rd' }), secrets).ok).toBe(false);
    expect(verifyAuth(basicAuth, req({}), secrets).ok).toBe(false);
  });

  it('header: reads the configured header (names are lower-cased on arrival)', () => {
    expect(verifyAuth(header, req({ 'x-salve-token': 's3cret-token' }), secrets)).toEqual({ ok: true });
    expect(verifyAuth(header, req({ 'x-salve-token': 'nope' }), secrets)).toEqual({ ok: false, reason: 'wrong value in X-Salve-Token header' });
    expect(verifyAuth(header, req({ authorization: 'Bearer s3cret-token' }), secrets)).toEqual({
      ok: false,
      reason: 'missing X-Salve-Token header',
    });
  });

  it('none: accepts anything', () => {
    expect(verifyAuth({ type: 'none' }, req({}), secrets)).toEqual({ ok: true });
  });

  it('fails closed when the secret is unset or empty, even for an empty credential', () => {
    const unset: AuthConfig = { type: 'bearer', token: { secret: 'MISSING' } };
    expect(verifyAuth(unset, req({ authorization: 'Bearer ' }), secrets)).toEqual({ ok: false, reason: 'secret MISSING is not set' });
    const empty: AuthConfig = { type: 'header', name: 'X-T', value: { secret: 'EMPTY' } };
    expect(verifyAuth(empty, req({ 'x-t': '' }), secrets)).toEqual({ ok: false, reason: 'secret EMPTY is not set' });
    const basicUnset: AuthConfig = { type: 'basic', username: 'am', password: { secret: 'MISSING' } };
    expect(verifyAuth(basicUnset, req({ authorization: basic('am', '') }), secrets).ok).toBe(false);
  });

  it('never puts a secret or the offered credential in a reason', () => {
    const attempts = [
      verifyAuth(bearer, req({ authorization: 'Bearer s3cret-tokeX' }), secrets),
      verifyAuth(basicAuth, req({ authorization: basic('am', 'pa:ss w0rX') }), secrets),
      verifyAuth(header, req({ 'x-salve-token': 's3cret-tokeX' }), secrets),
    ];
    for (const r of attempts) {
      expect(r.ok).toBe(false);
      const reason = (r as { reason: string }).reason;
      expect(reason).not.toMatch(/s3cret|pa:ss|w0r/);
    }
  });
});
