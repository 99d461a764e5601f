import { useState } from 'react';
import type { SessionView } from '../../../shared/people.js';
import { browserSessionStorage, clearTestInputs } from '../flow-editor/test-input.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { endSession, listMySessions } from './accounts-api.js';
import { browserName } from './browser-name.js';
import { rolesSummary, signedInName } from './access.js';
import { useAccount } from './me.js';
import { PasswordSection } from './PasswordSection.js';
import { TokensSection } from './TokensSection.js';
import '../styles/accounts.css';

/**
 * `#/account`: the signed-in person's own sessions (end the ones they do not recognise), their
 * password, and their API tokens. The admin token is no account: it has none of these.
 */
export function AccountPage() {
  const { me } = useAccount();
  const breakGlass = me.kind === 'bootstrap-admin';
  return (
    <div className="page account-page">
      <div className="page-header">
        <h1>My account</h1>
        <span className="muted small" data-testid="account-summary">
          {signedInName(me)}
          {me.user && ` (${me.user.username})`} · {rolesSummary(me)}
        </span>
      </div>
      {breakGlass ? (
        <div className="banner warning" data-testid="account-break-glass">
          You are signed in with the <strong>admin token</strong> (break-glass). It is not a person’s account: it has no password to change and
          no sessions of its own to list. Give people their own accounts on the People page, and keep the token for emergencies.
        </div>
      ) : (
        <>
          <SessionsSection />
          <PasswordSection />
        </>
      )}
      <TokensSection />
    </div>
  );
}

function SessionsSection() {
  const sessions = usePolling(listMySessions, 0, []);
  const [ending, setEnding] = useState<string | null>(null);

  const end = async (session: SessionView) => {
    setEnding(session.id);
    try {
      await endSession(session.id);
      if (session.current) {
        // This browser's own session: it is signed out now, as after Sign out.
        clearTestInputs(browserSessionStorage());
        window.history.replaceState(null, '', '#/flows');
        window.location.reload();
        return;
      }
      toast('Ended the session. That browser is signed out.', 'success');
      sessions.refresh();
    } catch (error) {
      toast(`Could not end the session: ${(error as Error).message}`, 'error');
    } finally {
      setEnding(null);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="sessions-title">
      <div className="card-body">
        <h2 id="sessions-title">Where you are signed in</h2>
        <p className="muted small">Each browser you signed in with. End any you do not recognise: that browser must sign in again.</p>
      </div>
      {sessions.error && <ApiErrorBanner error={sessions.error} doing="Loading your sessions" onRetry={sessions.refresh} />}
      {!sessions.data ? (
        !sessions.error && <div className="empty">Loading sessions…</div>
      ) : sessions.data.length === 0 ? (
        <div className="empty">No sessions.</div>
      ) : (
        <table className="list stacked-list" data-testid="sessions-table">
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Address</th>
              <th scope="col">Started</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data.map((s) => (
              <tr key={s.id} data-testid="session-row" data-current={s.current || undefined}>
                <td className="stack-wide">
                  <span title={s.userAgent ?? undefined}>{browserName(s.userAgent)}</span>
                  {s.current && (
                    <span className="status enabled current-session" data-testid="session-current">
                      this browser
                    </span>
                  )}
                </td>
                <td data-label="Address" className="mono small">
                  {s.address ?? '—'}
                </td>
                <td data-label="Started">
                  <RelativeTime iso={s.createdAt} />
                </td>
                <td data-label="Last used">
                  <RelativeTime iso={s.lastUsedAt} />
                </td>
                <td className="row-actions">
                  <button type="button" className="small danger" disabled={ending === s.id} onClick={() => end(s)} data-testid="session-end">
                    {s.current ? 'End (sign out)' : 'End'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
