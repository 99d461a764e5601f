/**
 * Why single sign-on sent the browser back to the sign-in page (`#/sign-in?error=<code>`), in
 * words a person can act on. The codes are the server's (docs/operations.md, "Single sign-on");
 * each sentence says what happened and what to do next, and who can fix it when the person cannot.
 */
const SENTENCES: Record<string, string> = {
  denied: 'Single sign-on was cancelled at your identity provider (you declined, or it refused you). Try again, or ask whoever runs the provider.',
  provider_error:
    'Your identity provider answered with an error instead of signing you in. Try again; if it keeps happening, ask an admin to look at Salve’s log.',
  bad_state:
    'That single sign-on answer does not belong to a sign-in started in this browser (it may have been altered). Start again with the single sign-on button.',
  expired_attempt: 'The single sign-on took longer than 10 minutes. Start again with the single sign-on button.',
  code_refused:
    'Your identity provider would not complete this sign-in (its one-time code was already used or has expired). Start again with the single sign-on button.',
  wrong_audience: 'Your identity provider vouched for you to another application, not to Salve, so Salve refused it. Ask an admin to check SALVE_OIDC_CLIENT_ID.',
  wrong_issuer: 'The sign-in came from another identity provider than the one Salve trusts. Ask an admin to check SALVE_OIDC_ISSUER.',
  token_expired:
    'Your identity provider’s sign-in had already expired when Salve checked it. Ask an admin to check that the clocks of Salve and the provider agree.',
  nonce_mismatch: 'Your identity provider’s answer belongs to another sign-in. Start again with the single sign-on button.',
  token_invalid: 'Salve could not verify your identity provider’s answer, so it did not sign you in. Try again; if it keeps happening, ask an admin to look at Salve’s log.',
  provider_unreachable: 'Salve could not reach your identity provider. Try again in a moment, or sign in with your username and password.',
  account_disabled: 'Your Salve account is disabled. Ask an admin to enable it.',
  sso_not_configured: 'Single sign-on is not set up on this Salve. Sign in with your username and password.',
  server_error: 'Your identity provider signed you in, but Salve could not record it. Try again; if it keeps happening, ask an admin to look at Salve’s log.',
};

/**
 * The sentence for a refusal code. An unknown code (an older or newer server, or an edited
 * address) gets a general sentence; the code itself is never echoed, so a crafted link cannot put
 * its own words on the sign-in page.
 */
export function ssoRefusalSentence(code: string): string {
  return Object.hasOwn(SENTENCES, code)
    ? SENTENCES[code]!
    : 'Single sign-on did not complete. Try again; if it keeps happening, ask an admin to look at Salve’s log.';
}

/**
 * The refusal code of `#/sign-in?error=<code>` (a single sign-on the server refused), if the
 * address is one. Not a Route: signed in, that address shows the flows page.
 */
export function signInErrorOf(hash: string): string | undefined {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  if (path !== '/sign-in') return undefined;
  return new URLSearchParams(query).get('error') || undefined;
}
