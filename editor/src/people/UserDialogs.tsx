import { useId, useState } from 'react';
import { createPortal } from 'react-dom';
import { PasswordSchema, type TeamRoles, type UserView } from '../../../shared/people.js';
import { createUser, putRoles, updateUser } from '../accounts/accounts-api.js';
import { type FieldErrors, placeErrors, sentence } from '../accounts/form-errors.js';
import { Dialog } from '../ui/Dialog.js';
import { manualRoles, ssoRoles } from './roles-matrix.js';
import { RoleLegend, RolesEditor } from './RolesEditor.js';

type Teams = readonly { id: string; name: string }[];

function FieldMessage({ id, messages, testId }: { id: string; messages: string[] | undefined; testId: string }) {
  return messages?.length ? (
    <div id={id} className="field-error" data-testid={testId}>
      {messages.join(' ')}
    </div>
  ) : null;
}

function FormError({ messages }: { messages: string[] | undefined }) {
  return messages?.length ? (
    <div className="banner error" role="alert" data-testid="user-form-error">
      {messages.join(' ')}
    </div>
  ) : null;
}

type NewUserField = 'username' | 'displayName' | 'email' | 'password' | 'roles';

/** A new person (or service account), with their first roles. */
export function CreateUserDialog({ teams, onClose, onCreated }: { teams: Teams; onClose: () => void; onCreated: (user: UserView) => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [kind, setKind] = useState<'person' | 'service'>('person');
  const [admin, setAdmin] = useState(false);
  const [roles, setRoles] = useState<TeamRoles>([]);
  const [errors, setErrors] = useState<FieldErrors<NewUserField>>({});
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const id = (f: string) => `${formId}-${f}`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: FieldErrors<NewUserField> = {};
    if (username.trim() === '') local.username = ['Enter a username, e.g. ana.'];
    if (displayName.trim() === '') local.displayName = ['Enter the name people know them by.'];
    if (kind === 'person' && password !== '') {
      const problem = PasswordSchema.safeParse(password);
      if (!problem.success) local.password = [sentence(problem.error.issues[0]?.message ?? 'choose another password')];
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const user = await createUser({
        username: username.trim(),
        displayName: displayName.trim(),
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(kind === 'person' && password ? { password } : {}),
        kind,
        admin,
        roles,
      });
      onCreated(user);
    } catch (error) {
      setErrors(
        placeErrors(error, ['username', 'displayName', 'email', 'password', 'roles'] as const, {
          409: { field: 'username', message: `“${username.trim()}” is taken. Choose another username.` },
          422: { field: 'roles' },
        }),
      );
    } finally {
      setBusy(false);
    }
  };

  const invalid = (f: NewUserField) =>
    errors[f]?.length ? { 'aria-invalid': true as const, 'aria-describedby': id(`${f}-error`) } : {};

  return createPortal(
    <Dialog
      title="New user"
      wide
      onClose={onClose}
      testId="user-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" disabled={busy} data-testid="user-save">
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate className="user-form">
        <FormError messages={errors.form} />
        {/* biome-ignore lint/a11y/useSemanticElements: a segmented control, as on the Approvals page; a <fieldset> would bring its own box and legend styling */}
        <div className="segmented" role="group" aria-label="Kind">
          <button type="button" aria-pressed={kind === 'person'} onClick={() => setKind('person')}>
            Person
          </button>
          <button type="button" aria-pressed={kind === 'service'} onClick={() => setKind('service')} data-testid="user-kind-service">
            Service account
          </button>
        </div>
        <p className="muted small">
          {kind === 'person' ? 'Someone who signs in to the editor.' : 'A script or tool: it signs in only with API tokens an admin makes for it.'}
        </p>
        <div className="user-form-grid">
          <div className="field">
            <label htmlFor={id('username')}>Username</label>
            <input
              id={id('username')}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="e.g. ana"
              data-autofocus
              {...invalid('username')}
              data-testid="user-username"
            />
            <FieldMessage id={id('username-error')} messages={errors.username} testId="user-username-error" />
          </div>
          <div className="field">
            <label htmlFor={id('displayName')}>Name</label>
            <input id={id('displayName')} value={displayName} onChange={(e) => setDisplayName(e.target.value)} placeholder="e.g. Ana Lima" {...invalid('displayName')} data-testid="user-display-name" />
            <FieldMessage id={id('displayName-error')} messages={errors.displayName} testId="user-displayName-error" />
          </div>
          <div className="field">
            <label htmlFor={id('email')}>
              E-mail <span className="muted small">(optional)</span>
            </label>
            <input id={id('email')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} {...invalid('email')} data-testid="user-email" />
            <FieldMessage id={id('email-error')} messages={errors.email} testId="user-email-error" />
          </div>
          {kind === 'person' && (
            <div className="field">
              <label htmlFor={id('password')}>
                Password <span className="muted small">(optional)</span>
              </label>
              <input
                id={id('password')}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                {...invalid('password')}
                data-testid="user-password"
              />
              <FieldMessage id={id('password-error')} messages={errors.password} testId="user-password-error" />
              <div className="field-help">At least 12 characters; tell it to them in person. Empty: they sign in only with single sign-on.</div>
            </div>
          )}
        </div>
        <label className="row admin-check">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} data-testid="user-admin" /> Admin: manages people, teams,
          settings and every team’s flows
        </label>
        <h3 className="roles-heading">Roles</h3>
        <RolesEditor teams={teams} value={roles} onChange={setRoles} />
        <FieldMessage id={id('roles-error')} messages={errors.roles} testId="user-roles-error" />
        <RoleLegend />
      </form>
    </Dialog>,
    document.body,
  );
}

/** A user's roles per team, given by hand (single sign-on roles shown, locked). */
export function EditRolesDialog({ user, teams, onClose, onSaved }: { user: UserView; teams: Teams; onClose: () => void; onSaved: (user: UserView) => void }) {
  const [roles, setRoles] = useState<TeamRoles>(() => manualRoles(user));
  const [error, setError] = useState<string[] | undefined>();
  const [busy, setBusy] = useState(false);
  const fixed = ssoRoles(user);

  const save = async () => {
    setBusy(true);
    try {
      onSaved(await putRoles(user.id, roles));
    } catch (err) {
      const placed = placeErrors(err, ['roles'] as const);
      setError([...(placed.roles ?? []), ...(placed.form ?? [])]);
    } finally {
      setBusy(false);
    }
  };

  return createPortal(
    <Dialog
      title={`Roles of ${user.displayName}`}
      wide
      onClose={onClose}
      testId="roles-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={save} data-testid="roles-save">
            {busy ? 'Saving…' : 'Save roles'}
          </button>
        </>
      }
    >
      <FormError messages={error} />
      {user.admin && <div className="banner info">{user.displayName} is an admin: they can do everything in every team whatever these say.</div>}
      <RolesEditor teams={teams} value={roles} onChange={setRoles} fixed={fixed} />
      {fixed.length > 0 && <p className="muted small">Locked boxes come from single sign-on: change them at the identity provider.</p>}
      <RoleLegend />
    </Dialog>,
    document.body,
  );
}

/** A new password for someone who forgot theirs (tell it to them; they change it on My account). */
export function ResetPasswordDialog({ user, onClose, onDone }: { user: UserView; onClose: () => void; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors<'password'>>({});
  const [busy, setBusy] = useState(false);
  const formId = useId();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problem = PasswordSchema.safeParse(password);
    if (!problem.success) {
      setErrors({ password: [sentence(problem.error.issues[0]?.message ?? 'choose another password')] });
      return;
    }
    setBusy(true);
    try {
      await updateUser(user.id, { password });
      onDone();
    } catch (error) {
      setErrors(placeErrors(error, ['password'] as const));
    } finally {
      setBusy(false);
    }
  };

  return createPortal(
    <Dialog
      title={`Reset the password of ${user.displayName}`}
      onClose={onClose}
      testId="reset-password-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" disabled={busy} data-testid="reset-password-save">
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        <FormError messages={errors.form} />
        <div className="field">
          <label htmlFor={`${formId}-pw`}>New password</label>
          <input
            id={`${formId}-pw`}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={errors.password?.length ? true : undefined}
            data-testid="reset-password"
            data-autofocus
          />
          <FieldMessage id={`${formId}-pw-error`} messages={errors.password} testId="reset-password-error" />
          <div className="field-help">At least 12 characters. Tell it to {user.displayName} in person; they can change it on My account.</div>
        </div>
      </form>
    </Dialog>,
    document.body,
  );
}
