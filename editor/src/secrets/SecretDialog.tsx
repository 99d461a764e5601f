import { useId, useState } from 'react';
import { createPortal } from 'react-dom';
import { Eye, EyeOff } from 'lucide-react';
import { secretEnvVar, secretNameProblem } from '../config-form/secret-name.js';
import { Dialog } from '../ui/Dialog.js';
import { hostsProblem, hostsText, parseHosts } from './hosts.js';
import { placeSaveError, saveSecret, type SecretField, type SecretItem, type SecretWrite } from './secrets-api.js';
import { useAccount } from '../accounts/me.js';
import { teamsWithRole } from '../accounts/access.js';

/** What the dialog changes: a new secret (everything), a secret's description and hosts, or only its value. */
export type SecretDialogMode = { kind: 'create' } | { kind: 'edit'; secret: SecretItem } | { kind: 'replace'; secret: SecretItem };

interface Props {
  mode: SecretDialogMode;
  /** For a new secret: the name to start with (e.g. one typed into a picker). */
  initialName?: string;
  /** A line above the form saying what the secret is for (e.g. the field a picker fills in). */
  intro?: React.ReactNode;
  /** The secrets the server has: creating one of their names would replace a value (or be refused), so the form says so first. */
  existing: readonly SecretItem[];
  onClose: () => void;
  onSaved: (secret: SecretItem, created: boolean) => void;
}

type Errors = Partial<Record<SecretField | 'form', string[]>>;

const TITLES = { create: 'New secret', edit: 'Edit secret', replace: 'Replace value' } as const;
const SAVE_LABELS = { create: 'Create secret', edit: 'Save changes', replace: 'Replace value' } as const;

/** Checks the form can make before asking the server (which checks everything again). */
function localErrors(mode: SecretDialogMode, name: string, value: string, hosts: string, known: readonly SecretItem[]): Errors {
  const errors: Errors = {};
  if (mode.kind === 'create') {
    const problem = name === '' ? 'Give the secret a name, e.g. AM_TOKEN.' : secretNameProblem(name);
    const taken = known.find((s) => s.name === name);
    if (problem) errors.name = [problem];
    else if (taken?.source === 'environment') errors.name = [`${name} is set by the server environment (${secretEnvVar(name)}): change it there, or choose another name.`];
    else if (taken) errors.name = [`${name} exists already. To change its value, use “Replace value” on the Secrets page.`];
  }
  if (mode.kind !== 'edit' && value === '') errors.value = ['Enter the value.'];
  const hostsError = mode.kind === 'replace' ? null : hostsProblem(parseHosts(hosts));
  if (hostsError) errors.hosts = [hostsError];
  return errors;
}

/**
 * The secret form, as a dialog (rendered over the whole page, so it also works from inside the
 * flow editor's side panel without touching the flow). The value is write-only: a password box
 * with a show toggle, sent once with PUT and then gone with the dialog.
 */
export function SecretDialog({ mode, initialName = '', intro, existing: known, onClose, onSaved }: Props) {
  const existing = mode.kind === 'create' ? null : mode.secret;
  const [name, setName] = useState(existing?.name ?? initialName);
  const [value, setValue] = useState('');
  const [showValue, setShowValue] = useState(false);
  const [description, setDescription] = useState(existing?.description ?? '');
  const [hosts, setHosts] = useState(hostsText(existing?.hosts ?? []));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  // A new secret belongs to a team: the one the caller edits in, or the one they choose when several.
  const { me, teams } = useAccount();
  const writable = teamsWithRole(me, 'editor', teams);
  const [team, setTeam] = useState(writable[0]?.id ?? '');
  const formId = useId();
  const id = (field: string) => `${formId}-${field}`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const local = localErrors(mode, name, value, hosts, known);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const body: SecretWrite =
      mode.kind === 'create'
        ? { value, description: description.trim(), hosts: parseHosts(hosts) }
        : mode.kind === 'edit'
          ? { description: description.trim(), hosts: parseHosts(hosts) }
          : { value };
    setBusy(true);
    try {
      const saved = await saveSecret(name, body, mode.kind === 'create' && team ? team : undefined);
      setValue('');
      onSaved(saved, mode.kind === 'create');
    } catch (error) {
      const placed: Errors = {};
      for (const { field, messages } of placeSaveError(error)) {
        // A field this form does not show cannot carry its message: the form as a whole does.
        const shown = field === 'form' || (mode.kind === 'create' ? true : mode.kind === 'edit' ? field !== 'value' : field === 'value');
        const at = shown ? field : 'form';
        placed[at] = [...(placed[at] ?? []), ...messages];
      }
      setErrors(placed);
    } finally {
      setBusy(false);
    }
  };

  const errorProps = (field: SecretField) => {
    const list = errors[field];
    if (!list?.length) return { ids: id(`${field}-help`) };
    return { invalid: true as const, ids: `${id(`${field}-error`)} ${id(`${field}-help`)}`, list };
  };
  const fieldErrors = (field: SecretField) =>
    errors[field]?.length ? (
      <div id={id(`${field}-error`)} className="field-error" data-testid={`secret-${field}-error`}>
        {errors[field]!.join(' ')}
      </div>
    ) : null;

  const nameState = errorProps('name');
  const valueState = errorProps('value');
  const descriptionState = errorProps('description');
  const hostsState = errorProps('hosts');

  return createPortal(
    <Dialog
      title={mode.kind === 'create' ? TITLES.create : `${TITLES[mode.kind]}: ${name}`}
      onClose={onClose}
      testId="secret-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" disabled={busy} data-testid="secret-save">
            {busy ? 'Saving…' : SAVE_LABELS[mode.kind]}
          </button>
        </>
      }
    >
      <form id={formId} className="secret-form" onSubmit={submit} noValidate>
        {intro && <p className="secret-intro">{intro}</p>}
        {errors.form?.length ? (
          <div className="banner error" role="alert" data-testid="secret-form-error">
            {errors.form.join(' ')}
          </div>
        ) : null}
        {existing?.overriddenByEnvironment && (
          <div className="banner warning">
            The server environment also sets <code>SALVE_SECRET_{existing.name}</code>: flows get that value, not the stored one, until it is
            removed there.
          </div>
        )}

        {mode.kind === 'create' ? (
          <div className="field">
            <label htmlFor={id('name')}>Name</label>
            <input
              id={id('name')}
              className="mono"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. AM_TOKEN"
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="characters"
              aria-invalid={nameState.invalid}
              aria-describedby={nameState.ids}
              data-testid="secret-name"
              data-autofocus
            />
            {fieldErrors('name')}
            <div id={id('name-help')} className="field-help">
              Upper-case letters, digits and <code>_</code>. Flows refer to it by this name; it cannot be renamed later.
            </div>
          </div>
        ) : null}

        {mode.kind === 'create' && writable.length > 1 ? (
          <div className="field">
            <label htmlFor={id('team')}>Team</label>
            <select id={id('team')} value={team} onChange={(e) => setTeam(e.target.value)} data-testid="secret-team">
              {writable.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <div className="field-help">Only this team's flows can use it, and only its editors can change it.</div>
          </div>
        ) : null}

        {mode.kind !== 'edit' && (
          <div className="field">
            <label htmlFor={id('value')}>{mode.kind === 'replace' ? 'New value' : 'Value'}</label>
            <div className="secret-value-row">
              <input
                id={id('value')}
                type={showValue ? 'text' : 'password'}
                className="mono"
                value={value}
                onChange={(e) => setValue(e.target.value)}
                // A password manager must not offer to keep (or fill in) a value that belongs to the server.
                autoComplete="new-password"
                spellCheck={false}
                aria-invalid={valueState.invalid}
                aria-describedby={valueState.ids}
                data-testid="secret-value"
                data-autofocus={mode.kind === 'replace' ? true : undefined}
              />
              <button
                type="button"
                className="secret-show"
                aria-pressed={showValue}
                aria-label={showValue ? 'Hide value' : 'Show value'}
                onClick={() => setShowValue((s) => !s)}
                data-testid="secret-value-toggle"
              >
                {showValue ? <EyeOff size={16} aria-hidden="true" /> : <Eye size={16} aria-hidden="true" />}
                <span>{showValue ? 'Hide' : 'Show'}</span>
              </button>
            </div>
            {fieldErrors('value')}
            <div id={id('value-help')} className="field-help">
              Stored encrypted on the server. Nobody can read it back here: to change it, replace it.
              {mode.kind === 'replace' && existing && existing.usedBy.length > 0 && ` Used by ${usedByText(existing)}.`}
            </div>
          </div>
        )}

        {mode.kind !== 'replace' && (
          <>
            <div className="field">
              <label htmlFor={id('description')}>
                Description <span className="muted small">(optional)</span>
              </label>
              <input
                id={id('description')}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                placeholder="What it is and who issued it, e.g. Alertmanager webhook token (team infra)"
                aria-invalid={descriptionState.invalid}
                aria-describedby={descriptionState.ids}
                data-testid="secret-description"
              />
              {fieldErrors('description')}
              <div id={id('description-help')} className="field-help">
                Shown on the Secrets page and in secret pickers.
              </div>
            </div>
            <div className="field">
              <label htmlFor={id('hosts')}>May be sent to</label>
              <input
                id={id('hosts')}
                className="mono"
                value={hosts}
                onChange={(e) => setHosts(e.target.value)}
                placeholder="e.g. api.pagerduty.com, *.example.internal"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={hostsState.invalid}
                aria-describedby={hostsState.ids}
                data-testid="secret-hosts"
              />
              {fieldErrors('hosts')}
              <div id={id('hosts-help')} className="field-help">
                Host names, <code>*.domain</code>, addresses or CIDR blocks (optional <code>:port</code>), separated by commas; <code>*</code> for
                anywhere. <strong>Empty: steps may send it nowhere</strong> — only sources can use it, to check incoming deliveries.
              </div>
            </div>
          </>
        )}
      </form>
    </Dialog>,
    document.body,
  );
}

function usedByText(secret: SecretItem): string {
  const names = secret.usedBy.map((f) => `“${f.flowName}”`);
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
