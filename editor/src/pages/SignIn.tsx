import { useEffect, useState } from 'react';
import type { SignInHint } from '../../../shared/api-views.js';
import { ApiError } from '../api/client.js';
import { signIn, signInHint } from '../api/session.js';

/** Where to find the token, in words: the server's own token file, or the variable that sets it. */
function whereTheTokenIs(hint: SignInHint | null): React.ReactNode {
  if (hint === null) return <>the <code>admin-token</code> file in Salve’s data directory</>;
  if (hint.tokenFile === undefined) return <>the <code>SALVE_ADMIN_TOKEN</code> variable Salve was started with</>;
  return <code data-testid="token-file">{hint.tokenFile}</code>;
}

/** Asks for the admin token that `salve serve` printed on its first start. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hint, setHint] = useState<SignInHint | null>(null);
  useEffect(() => {
    // Without it the page still says where to look, in general words.
    signInHint().then(setHint, () => setHint(null));
  }, []);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      setToken('');
      onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That token is not valid. Use the admin token named above.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="card-body stack">
          <div className="row">
            <span className="brand-mark" aria-hidden="true">
              S
            </span>
            <h1 id="signin-title">Sign in to Salve</h1>
          </div>
          <p className="muted" style={{ margin: 0 }}>
            Paste the admin token. Salve printed it on its first start; it is in {whereTheTokenIs(hint)}.
          </p>
          <div className="field">
            <label htmlFor="admin-token">Admin token</label>
            <input
              id="admin-token"
              type="password"
              autoComplete="current-password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'signin-error' : undefined}
              required
              // biome-ignore lint/a11y/noAutofocus: the sign-in page has this one field, and typing the token is all there is to do
              autoFocus
            />
            {error && (
              <div id="signin-error" className="field-error" role="alert">
                {error}
              </div>
            )}
          </div>
          <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
