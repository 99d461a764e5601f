import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signInErrorOf, ssoRefusalSentence } from './sso-refusal.js';

/** The refusal codes as docs/operations.md lists them (the table under "Refusals" in "Single sign-on"). */
function documentedCodes(): string[] {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('**Refusals**'), doc.indexOf('Signing out of Salve does not sign out'));
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
}

describe('single sign-on refusals on the sign-in page', () => {
  const general = ssoRefusalSentence('no_such_code');

  it('has its own sentence for every code the server documents', () => {
    const codes = documentedCodes();
    expect(codes).toContain('bad_state');
    expect(codes.length).toBeGreaterThanOrEqual(14);
    const sentences = codes.map(ssoRefusalSentence);
    for (const [i, sentence] of sentences.entries()) {
      expect(sentence, codes[i]).not.toBe(general);
      expect(sentence, codes[i]).toMatch(/^[A-Z].*\.$/);
    }
    // One sentence per code: two codes that read the same would hide which one happened.
    expect(new Set(sentences).size).toBe(codes.length);
  });

  it('says what to do: start again, ask an admin about the setting, or use the password', () => {
    expect(ssoRefusalSentence('bad_state')).toContain('Start again with the single sign-on button');
    expect(ssoRefusalSentence('wrong_audience')).toContain('SALVE_OIDC_CLIENT_ID');
    expect(ssoRefusalSentence('token_expired')).toContain('clocks');
    expect(ssoRefusalSentence('account_disabled')).toBe('Your Salve account is disabled. Ask an admin to enable it.');
    expect(ssoRefusalSentence('provider_unreachable')).toContain('username and password');
  });

  it('never echoes an unknown code, so a crafted link cannot write on the page', () => {
    expect(ssoRefusalSentence('Call_555_0100_for_help')).toBe(general);
    expect(ssoRefusalSentence('constructor')).toBe(general);
    expect(general).toContain('Single sign-on did not complete');
  });

  it('reads the code from the address the server sends the browser to', () => {
    expect(signInErrorOf('#/sign-in?error=bad_state')).toBe('bad_state');
    expect(signInErrorOf('#/sign-in')).toBeUndefined();
    expect(signInErrorOf('#/flows?error=bad_state')).toBeUndefined();
    expect(signInErrorOf('')).toBeUndefined();
  });
});
