import { useState } from 'react';
import { hrefFor } from '../router.js';
import { hostsSummary } from '../secrets/hosts.js';
import { SecretDialog } from '../secrets/SecretDialog.js';
import type { SecretItem } from '../secrets/secrets-api.js';
import type { SecretChoices } from '../secrets/useSecrets.js';
import type { InputA11y } from './FieldShell.js';
import { useForm } from './form-context.js';
import { secretEnvVar, secretNameProblem } from './secret-name.js';

const OTHER = '\u0000other';
const CREATE = '\u0000create';

interface SecretPickerProps {
  a11y: InputA11y;
  /** Dotted path of the reference, e.g. `auth.token` or `headers.0.value`. */
  name: string;
  /** The secret's name ('' when none is chosen yet). */
  value: string;
  onChange: (name: string) => void;
  /** Accessible name of the select when its visible label is elsewhere (rows). */
  ariaLabel?: string;
  /** False when the field shows `<SecretHelp>` itself (under its errors, like other fields' help). */
  showHelp?: boolean;
  /** The field's label, so the "Create secret…" dialog can say what the secret is for. */
  fieldLabel?: string;
}

/** An option's text: the name and where the secret may be sent, so a token bound elsewhere is not picked by mistake. */
function optionText(secret: SecretItem): string {
  const hosts = hostsSummary(secret.hosts);
  return `${secret.name} — ${hosts.kind === 'hosts' ? `to ${hosts.text}` : hosts.kind === 'anywhere' ? 'to anywhere' : 'sent nowhere'}`;
}

/**
 * Chooses `{ "secret": NAME }`: a secret the server has (GET /api/secrets: stored ones and those
 * of its environment), "Create secret…" to store a new one without leaving the flow (a dialog;
 * the flow's unsaved edits stay as they are), or "Type a name…" for one that is set later. Only
 * the name is ever in the flow.
 */
export function SecretPicker({ a11y, name, value, onChange, ariaLabel, showHelp = true, fieldLabel }: SecretPickerProps) {
  const { secrets } = useForm();
  const known = secrets.items.some((s) => s.name === value);
  const [typing, setTyping] = useState(value !== '' && !known);
  const [creating, setCreating] = useState(false);
  const other = typing || (value !== '' && !known);
  const otherId = `${a11y.id}-name`;
  const problem = other ? secretNameProblem(value) : null;
  const helpId = showHelp ? `${a11y.id}-secret-help` : `${a11y.id}-help`;
  const describedBy = [a11y['aria-describedby'], showHelp && helpId].filter(Boolean).join(' ');

  return (
    <div className="cf-secret">
      <select
        {...a11y}
        aria-describedby={other ? a11y['aria-describedby'] : describedBy}
        aria-label={ariaLabel}
        name={name}
        data-testid={`field-${name}`}
        value={other ? OTHER : value}
        onChange={(e) => {
          if (e.target.value === CREATE) {
            setCreating(true);
            return;
          }
          if (e.target.value === OTHER) {
            setTyping(true);
            return;
          }
          setTyping(false);
          onChange(e.target.value);
        }}
      >
        <option value="">{secrets.items.length ? 'Choose a secret…' : secrets.loaded ? 'No secrets yet' : 'Choose a secret…'}</option>
        {secrets.items.map((s) => (
          <option key={s.name} value={s.name}>
            {optionText(s)}
          </option>
        ))}
        <option value={CREATE}>Create secret…</option>
        <option value={OTHER}>Type a name…</option>
      </select>
      {other && (
        <div className="cf-secret-other">
          <label htmlFor={otherId} className="cf-sublabel">
            Secret name
          </label>
          <input
            id={otherId}
            type="text"
            name={`${name}.secret`}
            data-testid={`field-${name}.secret`}
            className="cf-code"
            value={value}
            placeholder="e.g. AM_TOKEN"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            aria-invalid={problem ? true : undefined}
            aria-describedby={[problem && `${otherId}-error`, helpId].filter(Boolean).join(' ')}
            onChange={(e) => onChange(e.target.value)}
          />
          {problem && (
            <div id={`${otherId}-error`} className="field-error">
              {problem}
            </div>
          )}
        </div>
      )}
      {showHelp && (
        <div id={helpId} className="field-help">
          <SecretHelp value={value} />
        </div>
      )}
      {creating && (
        <SecretDialog
          mode={{ kind: 'create' }}
          initialName={other && !problem ? value : ''}
          intro={
            <>
              Stored on the server, then chosen for <strong>{fieldLabel ?? ariaLabel ?? 'this field'}</strong>. The flow's unsaved changes stay as they
              are; save the flow as usual afterwards.
            </>
          }
          existing={secrets.items}
          onClose={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            secrets.saved(saved);
            setTyping(false);
            onChange(saved.name);
          }}
        />
      )}
    </div>
  );
}

/** What the chosen secret is and where it may go, or a warning when the server does not have it. */
export function SecretHelp({ value }: { value: string }) {
  const { secrets } = useForm();
  const secret = secrets.items.find((s) => s.name === value);
  if (secret) {
    const hosts = hostsSummary(secret.hosts);
    return (
      <span data-testid="secret-help">
        {secret.description && <>{secret.description}. </>}
        {secret.source === 'environment' || secret.overriddenByEnvironment ? (
          <>
            Value from the server environment (<code>{secretEnvVar(secret.name)}</code>).{' '}
          </>
        ) : (
          'Value from the secret store. '
        )}
        {hosts.kind === 'nowhere' ? (
          <>
            May be sent nowhere: a source can check deliveries with it; for a step to send it, add hosts on the{' '}
            <a href={hrefFor({ page: 'secrets' })} target="_blank" rel="noreferrer">
              Secrets page
            </a>
            .
          </>
        ) : (
          <>
            May be sent to <span className="mono">{hosts.kind === 'anywhere' ? 'any host (*)' : hosts.text}</span>.
          </>
        )}{' '}
        The value is never stored in the flow.
      </span>
    );
  }
  const problem = secretNameProblem(value);
  return (
    <span data-testid="secret-help">
      {value === '' || problem
        ? 'Pick a secret the server has, or create one here; the value is never stored in the flow.'
        : 'The value is never stored in the flow.'}
      {value !== '' && !problem && secrets.loaded && (
        <span className="cf-warning">
          {' '}
          The server has no secret {value} yet: until it does, this fails closed. Choose “Create secret…” to add it.
        </span>
      )}
    </span>
  );
}

/** Whether a secret picker for `value` currently shows an inline name problem (then validation's copy is not repeated). */
export function pickerShowsProblem(value: string, secrets: SecretChoices): boolean {
  return !secrets.items.some((s) => s.name === value) && secretNameProblem(value) !== null;
}
