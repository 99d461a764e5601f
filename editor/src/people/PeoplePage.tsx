import { useState } from 'react';
import { Plus } from 'lucide-react';
import type { UserView } from '../../../shared/people.js';
import { listUsers, updateUser } from '../accounts/accounts-api.js';
import { teamName } from '../accounts/access.js';
import { useAccount } from '../accounts/me.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { ConfirmDialog, Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { TokensSection } from '../accounts/TokensSection.js';
import { AdminOnly } from './AdminOnly.js';
import { rolesByTeam, signInText } from './roles-matrix.js';
import { CreateUserDialog, EditRolesDialog, ResetPasswordDialog } from './UserDialogs.js';
import '../styles/accounts.css';

type OpenDialog = { kind: 'create' } | { kind: 'tokens'; user: UserView } | { kind: 'roles'; user: UserView } | { kind: 'password'; user: UserView } | { kind: 'disable'; user: UserView } | null;

/**
 * `#/people` (admins): everyone who can sign in or hold an API token, with their roles per team.
 * Create a user with their first roles, change roles, reset a password, disable or enable; make
 * and revoke a service account's API tokens.
 */
export function PeoplePage() {
  const { me } = useAccount();
  if (!me.admin) return <AdminOnly what="People" />;
  return <People />;
}

function People() {
  const { me, teams, refresh: refreshAccount } = useAccount();
  const users = usePolling(listUsers, 0, []);
  const [dialog, setDialog] = useState<OpenDialog>(null);

  const setDisabled = async (user: UserView, disabled: boolean) => {
    setDialog(null);
    try {
      await updateUser(user.id, { disabled });
      toast(disabled ? `Disabled ${user.displayName}: their sessions ended and their API tokens were revoked.` : `Enabled ${user.displayName}.`, 'success');
      users.refresh();
    } catch (error) {
      toast(`Could not ${disabled ? 'disable' : 'enable'} ${user.displayName}: ${(error as Error).message}`, 'error');
    }
  };

  return (
    <div className="page people-page">
      <div className="page-header">
        <h1>People</h1>
        <span className="muted small">Who can sign in, and what they may do in which team. Admins manage everything.</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })} data-testid="user-new">
          <Plus size={16} aria-hidden="true" /> New user
        </button>
      </div>
      {users.error && <ApiErrorBanner error={users.error} doing="Loading people" onRetry={users.refresh} />}
      {!users.data ? (
        !users.error && <div className="card empty">Loading people…</div>
      ) : users.data.length === 0 ? (
        <div className="card empty" data-testid="people-empty">
          <p>Nobody but the admin token yet.</p>
          <p className="small">Create an account for each person, with a role in their team, so the audit log names who did what.</p>
        </div>
      ) : (
        <div className="card">
          <table className="list stacked-list people-table" data-testid="people-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Signs in with</th>
                <th scope="col">Roles</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => {
                const self = me.user?.id === user.id;
                const roles = rolesByTeam(user);
                return (
                  <tr key={user.id} data-testid={`user-row-${user.username}`} className={user.disabled ? 'disabled-user' : undefined}>
                    <td className="stack-wide">
                      <strong>{user.displayName}</strong> <span className="mono small muted">{user.username}</span>
                      <div className="user-chips">
                        {user.kind === 'service' && <span className="chip">service account</span>}
                        {user.admin && <span className="chip chip-admin">admin</span>}
                        {user.disabled && (
                          <span className="chip chip-disabled" data-testid="user-disabled">
                            disabled
                          </span>
                        )}
                        {self && <span className="chip">you</span>}
                      </div>
                      {user.email && <div className="muted small">{user.email}</div>}
                    </td>
                    <td data-label="Signs in with" className="small">
                      {signInText(user)}
                    </td>
                    <td data-label="Roles" className="stack-wide" data-testid="user-roles">
                      {roles.length === 0 ? (
                        <span className="muted small">{user.admin ? 'every team (admin)' : 'no role: sees nothing yet'}</span>
                      ) : (
                        <ul className="team-roles">
                          {roles.map((r) => (
                            <li key={r.team}>
                              <span className="team-name">{teamName(r.team, teams)}</span> <span className="muted">{r.roles.join(', ')}</span>
                              {r.fromSso && <span className="muted small"> (single sign-on)</span>}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label="Last sign-in">
                      <RelativeTime iso={user.lastSignInAt} empty="never" />
                    </td>
                    <td className="row-actions stack-wide">
                      <button type="button" className="small" onClick={() => setDialog({ kind: 'roles', user })} data-testid="user-edit-roles">
                        Roles
                      </button>
                      {user.kind === 'service' && !user.disabled && (
                        <button type="button" className="small" onClick={() => setDialog({ kind: 'tokens', user })} data-testid="user-tokens">
                          API tokens
                        </button>
                      )}
                      {user.kind === 'person' && (
                        <button type="button" className="small" onClick={() => setDialog({ kind: 'password', user })} data-testid="user-reset-password">
                          Reset password
                        </button>
                      )}
                      {user.disabled ? (
                        <button type="button" className="small" onClick={() => setDisabled(user, false)} data-testid="user-enable">
                          Enable
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="small danger"
                          disabled={self}
                          title={self ? 'You cannot disable yourself' : undefined}
                          onClick={() => setDialog({ kind: 'disable', user })}
                          data-testid="user-disable"
                        >
                          Disable
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {dialog?.kind === 'tokens' && (
        <Dialog title={`${dialog.user.displayName} · service account`} onClose={() => setDialog(null)} wide testId="service-tokens-dialog">
          <TokensSection account={dialog.user} />
        </Dialog>
      )}
      {dialog?.kind === 'create' && (
        <CreateUserDialog
          teams={teams}
          onClose={() => setDialog(null)}
          onCreated={(user) => {
            setDialog(null);
            toast(`Created ${user.displayName} (${user.username}).`, 'success');
            users.refresh();
          }}
        />
      )}
      {dialog?.kind === 'roles' && (
        <EditRolesDialog
          user={dialog.user}
          teams={teams}
          onClose={() => setDialog(null)}
          onSaved={(user) => {
            setDialog(null);
            toast(`Saved the roles of ${user.displayName}.`, 'success');
            users.refresh();
            // One's own roles decide the navigation.
            if (user.id === me.user?.id) refreshAccount();
          }}
        />
      )}
      {dialog?.kind === 'password' && (
        <ResetPasswordDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          onDone={() => {
            toast(`Set a new password for ${dialog.user.displayName}.`, 'success');
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'disable' && (
        <ConfirmDialog
          title={`Disable ${dialog.user.displayName}?`}
          message={
            <p>
              They are signed out everywhere at once, their API tokens are revoked, and they cannot sign in until enabled again. Their flows,
              runs and audit records stay.
            </p>
          }
          confirmLabel="Disable"
          danger
          onConfirm={() => setDisabled(dialog.user, true)}
          onCancel={() => setDialog(null)}
        />
      )}
    </div>
  );
}
