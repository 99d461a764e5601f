import { useState } from 'react';
import { ApiError } from '../api/client.js';
import { signIn } from '../api/session.js';

/** Asks for the admin token that `salve serve` printed on its first start. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
          ? 'That token is not valid. Use the admin token from data/admin-token (or SALVE_ADMIN_TOKEN).'
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
            Paste the admin token. Salve printed it on its first start and saved it in <code>data/admin-token</code>.
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
