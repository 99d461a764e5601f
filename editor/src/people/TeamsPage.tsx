import { useId, useState } from 'react';
import { createPortal } from 'react-dom';
import { Plus } from 'lucide-react';
import { DEFAULT_TEAM_ID, TeamIdSchema, type TeamView } from '../../../shared/people.js';
import { createTeam, deleteTeam, listTeams, renameTeam } from '../accounts/accounts-api.js';
import { type FieldErrors, placeErrors, sentence } from '../accounts/form-errors.js';
import { useAccount } from '../accounts/me.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { AdminOnly } from './AdminOnly.js';
import '../styles/accounts.css';

type OpenDialog = { kind: 'create' } | { kind: 'rename'; team: TeamView } | { kind: 'delete'; team: TeamView } | null;

/**
 * `#/teams` (admins): the teams that own flows and secrets, with their members. Create, rename,
 * delete (refused while the team still owns something, with the reason).
 */
export function TeamsPage() {
  const { me } = useAccount();
  if (!me.admin) return <AdminOnly what="Teams" />;
  return <Teams />;
}

function Teams() {
  const account = useAccount();
  const teams = usePolling(listTeams, 0, []);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const changed = () => {
    setDialog(null);
    teams.refresh();
    // The team pickers and Team columns elsewhere name teams from the account's list.
    account.refresh();
  };

  return (
    <div className="page teams-page">
      <div className="page-header">
        <h1>Teams</h1>
        <span className="muted small">Each flow and secret belongs to one team; people hold roles per team.</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })} data-testid="team-new">
          <Plus size={16} aria-hidden="true" /> New team
        </button>
      </div>
      {teams.error && <ApiErrorBanner error={teams.error} doing="Loading teams" onRetry={teams.refresh} />}
      {!teams.data ? (
        !teams.error && <div className="card empty">Loading teams…</div>
      ) : (
        <div className="card">
          <table className="list stacked-list teams-table" data-testid="teams-table">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col" className="num">
                  Flows
                </th>
                <th scope="col">Members</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {teams.data.map((team) => (
                <tr key={team.id} data-testid={`team-row-${team.id}`}>
                  <td className="stack-wide">
                    <strong data-testid="team-name">{team.name}</strong> <span className="mono small muted">{team.id}</span>
                  </td>
                  <td className="num" data-label="Flows">
                    {team.flowCount}
                  </td>
                  <td className="stack-wide" data-label="Members" data-testid="team-members">
                    {team.members.length === 0 ? (
                      <span className="muted small">nobody yet (admins can still use it)</span>
                    ) : (
                      <ul className="team-roles">
                        {team.members.map((m) => (
                          <li key={m.userId}>
                            {m.displayName} <span className="muted small">{m.roles.join(', ')}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="row-actions stack-wide">
                    <button type="button" className="small" onClick={() => setDialog({ kind: 'rename', team })} data-testid="team-rename">
                      Rename
                    </button>
                    {team.id !== DEFAULT_TEAM_ID && (
                      <button type="button" className="small danger" onClick={() => setDialog({ kind: 'delete', team })} data-testid="team-delete">
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dialog?.kind === 'create' && (
        <TeamDialog
          onClose={() => setDialog(null)}
          onSaved={(team) => {
            toast(`Created team ${team.name}. Give people roles in it on the People page.`, 'success');
            changed();
          }}
        />
      )}
      {dialog?.kind === 'rename' && (
        <TeamDialog
          team={dialog.team}
          onClose={() => setDialog(null)}
          onSaved={(team) => {
            toast(`Renamed the team to ${team.name}.`, 'success');
            changed();
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteTeamDialog
          team={dialog.team}
          onClose={() => setDialog(null)}
          onDeleted={() => {
            toast(`Deleted team ${dialog.team.name}.`, 'success');
            changed();
          }}
        />
      )}
    </div>
  );
}

/** A new team (id and name), or a new name for one (its id stays: flows and config refer to it). */
function TeamDialog({ team, onClose, onSaved }: { team?: TeamView; onClose: () => void; onSaved: (team: TeamView) => void }) {
  const [id, setId] = useState(team?.id ?? '');
  const [name, setName] = useState(team?.name ?? '');
  const [errors, setErrors] = useState<FieldErrors<'id' | 'name'>>({});
  const [busy, setBusy] = useState(false);
  const formId = useId();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: FieldErrors<'id' | 'name'> = {};
    if (!team) {
      const idCheck = TeamIdSchema.safeParse(id);
      if (!idCheck.success) local.id = [id === '' ? 'Enter an id, e.g. payments.' : sentence(idCheck.error.issues[0]?.message ?? 'not a team id')];
    }
    if (name.trim() === '') local.name = ['Enter a name, e.g. Payments.'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onSaved(team ? await renameTeam(team.id, name.trim()) : await createTeam(id, name.trim()));
    } catch (error) {
      setErrors(placeErrors(error, ['id', 'name'] as const, { 409: { field: 'id', message: `There is a team “${id}” already.` } }));
    } finally {
      setBusy(false);
    }
  };

  const message = (f: 'id' | 'name') =>
    errors[f]?.length ? (
      <div id={`${formId}-${f}-error`} className="field-error" data-testid={`team-${f}-error`}>
        {errors[f]!.join(' ')}
      </div>
    ) : null;

  return createPortal(
    <Dialog
      title={team ? `Rename ${team.name}` : 'New team'}
      onClose={onClose}
      testId="team-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" disabled={busy} data-testid="team-save">
            {busy ? 'Saving…' : team ? 'Rename' : 'Create team'}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        {errors.form?.length ? (
          <div className="banner error" role="alert">
            {errors.form.join(' ')}
          </div>
        ) : null}
        {!team && (
          <div className="field">
            <label htmlFor={`${formId}-id`}>Id</label>
            <input
              id={`${formId}-id`}
              className="mono"
              value={id}
              onChange={(e) => setId(e.target.value)}
              placeholder="e.g. payments"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-invalid={errors.id?.length ? true : undefined}
              data-testid="team-id"
              data-autofocus
            />
            {message('id')}
            <div className="field-help">Lowercase letters, digits, “-” and “_”. Used in addresses and the API; it cannot change later.</div>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${formId}-name`}>Name</label>
          <input
            id={`${formId}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Payments"
            aria-invalid={errors.name?.length ? true : undefined}
            data-testid="team-name-input"
            data-autofocus={team ? true : undefined}
          />
          {message('name')}
        </div>
      </form>
    </Dialog>,
    document.body,
  );
}

/** Deleting a team; the server refuses while it owns flows or secrets, and the dialog shows why. */
function DeleteTeamDialog({ team, onClose, onDeleted }: { team: TeamView; onClose: () => void; onDeleted: () => void }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await deleteTeam(team.id);
      onDeleted();
    } catch (error) {
      setRefusal(sentence((error as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return createPortal(
    <Dialog
      title={`Delete team ${team.name}?`}
      onClose={onClose}
      testId="team-delete-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {refusal ? 'Close' : 'Cancel'}
          </button>
          {!refusal && (
            <button type="button" className="danger solid" disabled={busy} onClick={remove} data-testid="team-delete-confirm" data-autofocus>
              Delete team
            </button>
          )}
        </>
      }
    >
      {refusal ? (
        <div className="banner error" role="alert" data-testid="team-delete-refused">
          <strong>Not deleted:</strong> {refusal}
        </div>
      ) : (
        <p>
          Its {team.members.length} member{team.members.length === 1 ? '' : 's'} lose their roles in it. A team that still owns flows or secrets
          cannot be deleted{team.flowCount > 0 ? ` (it owns ${team.flowCount} flow${team.flowCount === 1 ? '' : 's'})` : ''}.
        </p>
      )}
    </Dialog>,
    document.body,
  );
}
