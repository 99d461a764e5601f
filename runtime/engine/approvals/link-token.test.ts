import { describe, expect, it } from 'vitest';
import { deriveLinkKey, linkIdOf, readLink, signLink, verifyLink } from './link-token.js';

const key = deriveLinkKey(Buffer.alloc(32, 7));
const claims = { executionId: 'ex_0123', nodeId: 'ask', scope: null, expiresAt: Date.parse('2026-12-05T10:00:00Z') };
const before = claims.expiresAt - 60_000;

describe('approval link tokens', () => {
  it('verify with the key they were signed with, until they expire', () => {
    const token = signLink(key, claims);
    expect(verifyLink(key, token, before)).toEqual({ ok: true, claims });
    expect(verifyLink(key, token, claims.expiresAt)).toEqual({ ok: true, claims });
    expect(verifyLink(key, token, claims.expiresAt + 1000)).toEqual({ ok: false, reason: 'expired', claims });
  });

  it('keep a loop item apart from the same node outside it', () => {
    const inLoop = { ...claims, scope: 'st_loop#2' };
    const token = signLink(key, inLoop);
    expect(verifyLink(key, token, before)).toEqual({ ok: true, claims: inLoop });
    expect(linkIdOf(inLoop)).not.toBe(linkIdOf(claims));
    // The id a use is recorded under does not depend on the expiry: a re-sent link is the same link.
    expect(linkIdOf({ ...claims, expiresAt: 1 } as never)).toBe(linkIdOf(claims));
  });

  it('are refused when the payload or the signature was changed, or another key signed them', () => {
    const token = signLink(key, claims);
    const [payload, mac] = token.split('.') as [string, string];
    const otherRun = Buffer.from(JSON.stringify({ e: 'ex_other', n: 'ask', x: claims.expiresAt / 1000 })).toString('base64url');
    expect(verifyLink(key, `${otherRun}.${mac}`, before)).toEqual({ ok: false, reason: 'bad-signature' });
    const later = Buffer.from(JSON.stringify({ e: 'ex_0123', n: 'ask', x: claims.expiresAt / 1000 + 86_400 })).toString('base64url');
    expect(verifyLink(key, `${later}.${mac}`, before)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyLink(key, `${payload}.${mac.slice(0, -2)}AA`, before)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyLink(deriveLinkKey(Buffer.alloc(32, 8)), token, before)).toEqual({ ok: false, reason: 'bad-signature' });
    for (const bad of ['', 'abc', `${payload}.`, `.${mac}`, `${payload}.${mac}.x`]) expect(verifyLink(key, bad, before)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('are readable without the key (the editor shows which run a link is for), but that proves nothing', () => {
    expect(readLink(signLink(key, claims))).toEqual(claims);
    expect(readLink('not-a-token')).toBeUndefined();
  });

  it('use a key derived from the master key, never the master key itself', () => {
    const master = Buffer.alloc(32, 7);
    expect(key).toHaveLength(32);
    expect(key.equals(master)).toBe(false);
    expect(deriveLinkKey(master).equals(key)).toBe(true);
  });
});
