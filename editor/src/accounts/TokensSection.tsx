import { useState } from 'react';
import { Plus, TriangleAlert } from 'lucide-react';
import { ROLES, type ApiTokenView, type Role, type UserView } from '../../../shared/people.js';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { CopyButton } from '../runs/CopyButton.js';
import { RelativeTime } from '../runs/RelativeTime.js';
import { ConfirmDialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { usePolling } from '../ui/usePolling.js';
import { createToken, listTokens, revokeToken } from './accounts-api.js';
import { teamName } from './access.js';
import { type FieldErrors, placeErrors } from './form-errors.js';
import { useAccount } from './me.js';
import { accountTokenRolesChoice, tokenRolesChoice } from './token-roles.js';

type Field = 'name' | 'team' | 'roles' | 'expiresInDays';

/**
 * API tokens for scripts and other tools (`Authorization: Bearer salve_pat_…`): each acts for its
 * owner in one team with at most the owner's roles there. The value is shown once, at creation.
 * Without `account`: the caller's own tokens (an admin sees everyone's). With a service account
 * (People page, admins): that account's tokens, made for it.
 */
export function TokensSection({ account }: { account?: UserView } = {}) {
  const { me, teams } = useAccount();
  const tokens = usePolling(listTokens, 0, []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ token: string; item: ApiTokenView } | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  // The admin token owns nothing: tokens belong to people and service accounts.
  const mayCreate = account !== undefined || me.kind !== 'bootstrap-admin';
  const choice = account ? accountTokenRolesChoice(account, teams) : tokenRolesChoice(me, teams);
  const showOwner = me.admin && account === undefined;

  const revoke = async (token: ApiTokenView) => {
    setRevoking(null);
    try {
      await revokeToken(token.id);
      toast(`Revoked “${token.name}”. Anything using it is refused from now on.`, 'success');
      tokens.refresh();
    } catch (error) {
      toast(`Could not revoke “${token.name}”: ${(error as Error).message}`, 'error');
    }
  };

  const live = (tokens.data ?? []).filter((t) => t.revokedAt === null && (account === undefined || t.userId === account.id));

  return (
    <section className="card account-section" aria-labelledby="tokens-title">
      <div className="card-body">
        <div className="row">
          <h2 id="tokens-title">API tokens</h2>
          <span className="spacer" />
          {mayCreate && !creating && (
            <button type="button" onClick={() => setCreating(true)} data-testid="token-new">
              <Plus size={16} aria-hidden="true" /> New token
            </button>
          )}
        </div>
        {account ? (
          <p className="muted small">
            For the tool this account stands for: it sends the token as <code>Authorization: Bearer …</code>. A token acts for the account in one
            team, with the roles you give it (never more than the account holds there now: change those with Roles), until it expires or is revoked.
          </p>
        ) : (
          <p className="muted small">
            For scripts and tools: send it as <code>Authorization: Bearer …</code>. A token acts for you in one team, with the roles you give it
            (never more than you hold there now), until it expires or is revoked.
          </p>
        )}
        {created && <NewTokenValue created={created} onDone={() => setCreated(null)} />}
        {creating && (
          <TokenForm
            choice={choice}
            account={account}
            onCancel={() => setCreating(false)}
            onCreated={(answer) => {
              setCreating(false);
              setCreated(answer);
              tokens.refresh();
            }}
          />
        )}
      </div>
      {tokens.error && <ApiErrorBanner error={tokens.error} doing="Loading API tokens" onRetry={tokens.refresh} />}
      {!tokens.data ? (
        !tokens.error && <div className="empty">Loading tokens…</div>
      ) : live.length === 0 ? (
        <div className="empty" data-testid="tokens-empty">
          No API tokens.
        </div>
      ) : (
        <table className="list stacked-list" data-testid="tokens-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {showOwner && <th scope="col">Owner</th>}
              <th scope="col">Team and roles</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {live.map((t) => (
              <tr key={t.id} data-testid="token-row">
                <td className="stack-wide">
                  <strong>{t.name}</strong>
                  <div className="muted small">
                    created <RelativeTime iso={t.createdAt} />
                  </div>
                </td>
                {showOwner && (
                  <td data-label="Owner" className="mono small">
                    {t.username}
                  </td>
                )}
                <td data-label="Team and roles">
                  {teamName(t.team, teams)} <span className="muted small">· {t.roles.join(', ')}</span>
                </td>
                <td data-label="Last used">
                  <RelativeTime iso={t.lastUsedAt} empty="never" />
                </td>
                <td data-label="Expires">
                  <RelativeTime iso={t.expiresAt} />
                </td>
                <td className="row-actions">
                  <button type="button" className="small danger" onClick={() => setRevoking(t)} data-testid="token-revoke">
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          message={<p>Scripts and tools using this token are refused from the next request on. This cannot be undone; make a new token instead.</p>}
          confirmLabel="Revoke token"
          danger
          onConfirm={() => revoke(revoking)}
          onCancel={() => setRevoking(null)}
        />
      )}
    </section>
  );
}

/** The new token's value, once: with a copy button and the warning that it will not be shown again. */
function NewTokenValue({ created, onDone }: { created: { token: string; item: ApiTokenView }; onDone: () => void }) {
  return (
    <div className="banner warning new-token" role="status" data-testid="token-created">
      <div className="row">
        <TriangleAlert size={16} aria-hidden="true" />
        <strong>Copy “{created.item.name}” now: Salve will not show it again.</strong>
      </div>
      <div className="row new-token-value">
        <code className="mono" data-testid="token-value">
          {created.token}
        </code>
        <CopyButton text={created.token} what="token" />
      </div>
      <div className="muted small">Salve keeps only a fingerprint of it. If it is lost, revoke it and make a new one.</div>
      <button type="button" className="small" onClick={onDone} data-testid="token-created-done">
        I have copied it
      </button>
    </div>
  );
}

interface TokenFormProps {
  /** The teams the token can be for, each with the roles it may carry. */
  choice: { id: string; name: string; roles: Role[] }[];
  /** The service account it is made for; absent: the caller's own. */
  account?: UserView;
  onCancel: () => void;
  onCreated: (answer: { token: string; item: ApiTokenView }) => void;
}

function TokenForm({ choice, account, onCancel, onCreated }: TokenFormProps) {
  const [name, setName] = useState('');
  const [team, setTeam] = useState(choice[0]?.id ?? '');
  // The least it could need: the first (lowest) role held in the team; the person adds more.
  const [roles, setRoles] = useState<Role[]>(choice[0]?.roles.slice(0, 1) ?? []);
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [busy, setBusy] = useState(false);
  const allowed = choice.find((c) => c.id === team)?.roles ?? [];

  if (choice.length === 0) {
    return (
      <div className="banner info">
        {account ? `${account.displayName} holds no role in any team yet: give it roles first, or a token could do nothing.` : 'You hold no role in any team, so a token could do nothing.'} <button type="button" className="small" onClick={onCancel}>Close</button>
      </div>
    );
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: FieldErrors<Field> = {};
    const wanted = roles.filter((r) => allowed.includes(r));
    const expiresInDays = Number(days);
    if (name.trim() === '') local.name = ['Name it after what uses it, e.g. “deploy script”.'];
    if (wanted.length === 0) local.roles = ['Give it at least one role.'];
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 366) local.expiresInDays = ['Between 1 and 366 days.'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onCreated(await createToken({ name: name.trim(), team, roles: wanted, expiresInDays, ...(account ? { userId: account.id } : {}) }));
    } catch (error) {
      setErrors(placeErrors(error, ['name', 'team', 'roles', 'expiresInDays'] as const, { 403: { field: 'roles' } }));
    } finally {
      setBusy(false);
    }
  };

  const message = (field: Field) =>
    errors[field]?.length ? (
      <div id={`tok-${field}-error`} className="field-error" data-testid={`token-${field}-error`}>
        {errors[field]!.join(' ')}
      </div>
    ) : null;
  const invalid = (field: Field) => (errors[field]?.length ? { 'aria-invalid': true as const, 'aria-describedby': `tok-${field}-error` } : {});

  return (
    <form className="token-form" onSubmit={submit} noValidate data-testid="token-form">
      {errors.form?.length ? (
        <div className="banner error" role="alert">
          {errors.form.join(' ')}
        </div>
      ) : null}
      <div className="token-form-grid">
        <div className="field">
          <label htmlFor="tok-name">Name</label>
          <input id="tok-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. deploy script" {...invalid('name')} data-testid="token-name" />
          {message('name')}
        </div>
        <div className="field">
          <label htmlFor="tok-team">Team</label>
          <select id="tok-team" value={team} onChange={(e) => {
              setTeam(e.target.value);
              setRoles(choice.find((c) => c.id === e.target.value)?.roles.slice(0, 1) ?? []);
            }}
            {...invalid('team')} data-testid="token-team">
            {choice.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          {message('team')}
        </div>
        <div className="field">
          <label htmlFor="tok-days">Expires after (days)</label>
          <input id="tok-days" type="number" min={1} max={366} value={days} onChange={(e) => setDays(e.target.value)} {...invalid('expiresInDays')} data-testid="token-days" />
          {message('expiresInDays')}
        </div>
      </div>
      <fieldset className="role-choice" {...invalid('roles')}>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} className={allowed.includes(role) ? undefined : 'muted'} title={allowed.includes(role) ? undefined : `${account ? `${account.displayName} is` : 'You are'} not ${role} in this team`}>
            <input
              type="checkbox"
              checked={roles.includes(role) && allowed.includes(role)}
              disabled={!allowed.includes(role)}
              onChange={(e) => setRoles((rs) => (e.target.checked ? [...rs, role] : rs.filter((r) => r !== role)))}
              data-testid={`token-role-${role}`}
            />{' '}
            {role}
          </label>
        ))}
        {message('roles')}
      </fieldset>
      <div className="row">
        <button type="submit" className="primary" disabled={busy} data-testid="token-create">
          {busy ? 'Creating…' : 'Create token'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
