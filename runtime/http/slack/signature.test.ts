import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../../test/kit/hmac.js';
import { slackSignature, verifySlackSignature } from './signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = new TextEncoder().encode('payload=%7B%22type%22%3A%22block_actions%22%7D');
const now = Date.parse('2026-12-05T10:00:00Z');
const ts = String(now / 1000);

describe('Slack request signatures (v0)', () => {
  it('are HMAC-SHA256 of v0:<timestamp>:<body> with the signing secret, as v0=<hex>', () => {
    expect(slackSignature(secret, ts, body)).toBe(`v0=${hmacSha256Hex(secret, `v0:${ts}:${new TextDecoder().decode(body)}`)}`);
  });

  it('accept a request signed with the secret within five minutes', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature({ secret, timestamp: ts, signature, body, nowMs: now })).toEqual({ ok: true });
    expect(verifySlackSignature({ secret, timestamp: ts, signature, body, nowMs: now + 299_000 })).toEqual({ ok: true });
  });

  it('refuse a changed body, a wrong secret, and a stale or future timestamp', () => {
    const signature = slackSignature(secret, ts, body);
    const tampered = new TextEncoder().encode('payload=%7B%22type%22%3A%22block_actions%22%2C%22x%22%3A1%7D');
    expect(verifySlackSignature({ secret, timestamp: ts, signature, body: tampered, nowMs: now })).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifySlackSignature({ secret: 'another-signing-secret', timestamp: ts, signature, body, nowMs: now })).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifySlackSignature({ secret, timestamp: ts, signature, body, nowMs: now + 301_000 })).toMatchObject({ ok: false, reason: expect.stringContaining('5 minutes') });
    expect(verifySlackSignature({ secret, timestamp: ts, signature, body, nowMs: now - 301_000 })).toMatchObject({ ok: false, reason: expect.stringContaining('5 minutes') });
    // The timestamp is signed too: a fresh timestamp on an old request does not verify.
    const fresh = String(now / 1000 + 60);
    expect(verifySlackSignature({ secret, timestamp: fresh, signature, body, nowMs: now })).toMatchObject({ ok: false });
  });

  it('refuse missing or malformed headers', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature({ secret, timestamp: undefined, signature, body, nowMs: now })).toMatchObject({ ok: false, reason: expect.stringContaining('X-Slack-Request-Timestamp') });
    expect(verifySlackSignature({ secret, timestamp: '17e8', signature, body, nowMs: now })).toMatchObject({ ok: false });
    expect(verifySlackSignature({ secret, timestamp: ts, signature: undefined, body, nowMs: now })).toMatchObject({ ok: false, reason: expect.stringContaining('X-Slack-Signature') });
    expect(verifySlackSignature({ secret, timestamp: ts, signature: signature.replace('v0=', 'v1='), body, nowMs: now })).toMatchObject({ ok: false });
  });
});
