import { useEffect, useState } from 'react';
import { KeyRound, LogIn } from 'lucide-react';
import type { SignInHint } from '../../../shared/api-views.js';
import { ApiError } from '../api/client.js';
import { signIn, signInHint, signInWithPassword } from '../api/session.js';
import { sentence } from '../accounts/form-errors.js';
import { signInErrorOf, ssoRefusalSentence } from '../accounts/sso-refusal.js';

/** The hint as the accounts API answers it: the token file, and single sign-on when it is set up. */
type Hint = SignInHint & { sso?: { label: string } };

/** Where to find the token, in words: the server's own token file, or the variable that sets it. */
function whereTheTokenIs(hint: Hint | null): React.ReactNode {
  if (hint === null) return <>the <code>admin-token</code> file in Salve’s data directory</>;
  if (hint.tokenFile === undefined) return <>the <code>SALVE_ADMIN_TOKEN</code> variable Salve was started with</>;
  return <code data-testid="token-file">{hint.tokenFile}</code>;
}

/** A refusal in words a person can act on: the server's own message ("wrong username or password"), as a sentence. */
function refusalText(err: unknown, wrong: string): string {
  if (err instanceof ApiError && err.status === 429) return `${sentence(err.message)} Wait a moment, then try again.`;
  if (err instanceof ApiError && err.status === 401) return err.message ? sentence(err.message) : wrong;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Signing in: a person with their username and password (or single sign-on when the server has
 * it); the admin token is the break-glass way in, for the first start and for emergencies.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [hint, setHint] = useState<Hint | null>(null);
  const [withToken, setWithToken] = useState(false);
  // A refused single sign-on comes back as `#/sign-in?error=<code>` (a fresh page load).
  const [ssoError] = useState(() => signInErrorOf(window.location.hash));
  useEffect(() => {
    // Without it the page still says where to look, in general words.
    signInHint().then((h) => setHint(h as Hint), () => setHint(null));
  }, []);
  const signedIn = () => {
    // The refusal is over: a later sign-out must not show it again.
    if (ssoError) window.history.replaceState(null, '', '#/flows');
    onSignedIn();
  };

  return (
    <main className="signin">
      <div className="card">
        <div className="card-body stack">
          <div className="row">
            <span className="brand-mark" aria-hidden="true">
              S
            </span>
            <h1 id="signin-title">Sign in to Salve</h1>
          </div>
          {ssoError && (
            <div className="banner error" role="alert" data-testid="signin-sso-error">
              <strong>Single sign-on did not sign you in.</strong> {ssoRefusalSentence(ssoError)}
            </div>
          )}
          {withToken ? (
            <TokenForm hint={hint} onSignedIn={signedIn} onBack={() => setWithToken(false)} />
          ) : (
            <>
              {hint?.sso && (
                <>
                  <a className="button primary signin-sso" href="/api/session/oidc/start" data-testid="signin-sso">
                    <LogIn size={16} aria-hidden="true" /> Sign in with single sign-on
                  </a>
                  <div className="muted small signin-sso-label">{hint.sso.label}</div>
                  <div className="signin-or" aria-hidden="true">
                    <span>or</span>
                  </div>
                </>
              )}
              <PasswordForm primary={!hint?.sso} onSignedIn={signedIn} />
              <div className="signin-break-glass">
                <button type="button" className="ghost small" onClick={() => setWithToken(true)} data-testid="signin-use-token">
                  <KeyRound size={14} aria-hidden="true" /> Sign in with the admin token
                </button>
                <div className="muted small">Break-glass: for the first start and emergencies, when no account works.</div>
              </div>
            </>
          )}
        </div>
      </div>
    </main>
  );
}

function PasswordForm({ primary, onSignedIn }: { primary: boolean; onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInWithPassword(username.trim(), password);
      setPassword('');
      onSignedIn();
    } catch (err) {
      setError(refusalText(err, 'Wrong username or password.'));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="signin-title" data-testid="signin-password-form">
      <div className="field">
        <label htmlFor="signin-username">Username</label>
        <input
          id="signin-username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          // biome-ignore lint/a11y/noAutofocus: the sign-in page is this form; typing the username is the first thing to do
          autoFocus
        />
      </div>
      <div className="field">
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
          required
        />
        {error && (
          <div id="signin-error" className="field-error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
      </div>
      <button type="submit" className={primary ? 'primary' : undefined} disabled={busy || username.trim() === '' || password === ''} data-testid="signin-submit">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function TokenForm({ hint, onSignedIn, onBack }: { hint: Hint | null; onSignedIn: () => void; onBack: () => void }) {
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
          ? 'That token is not valid. Use the admin token named above.'
          : err instanceof ApiError && err.status === 429
            ? refusalText(err, '')
            : err instanceof Error
              ? err.message
              : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Sign in with the admin token" data-testid="signin-token-form">
      <div className="banner warning signin-break-glass-banner">
        <strong>Break-glass sign-in.</strong> The admin token can do everything, and the audit log records it as “admin”, not as you.
        Use it for the first start and emergencies; day to day, sign in with your own account.
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
          aria-describedby={error ? 'signin-token-error' : undefined}
          required
          // biome-ignore lint/a11y/noAutofocus: the operator asked for this form; pasting the token is all there is to do
          autoFocus
        />
        {error && (
          <div id="signin-token-error" className="field-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <button type="submit" className="primary" disabled={busy || token.trim() === ''} data-testid="signin-token-submit">
        {busy ? 'Signing in…' : 'Sign in with the admin token'}
      </button>
      <button type="button" className="ghost small" onClick={onBack} data-testid="signin-use-password">
        Back to username and password
      </button>
    </form>
  );
}
