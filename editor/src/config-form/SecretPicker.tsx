import { useState } from 'react';
import type { InputA11y } from './FieldShell.js';
import { useForm } from './form-context.js';
import { secretEnvVar, secretNameProblem } from './secret-name.js';

const OTHER = '\u0000other';

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
}

/**
 * Chooses `{ "secret": NAME }`: a name the server knows (GET /api/secrets), or "Other…" to type
 * one (e.g. before the variable is set). Only the name is ever in the flow.
 */
export function SecretPicker({ a11y, name, value, onChange, ariaLabel, showHelp = true }: SecretPickerProps) {
  const { secrets } = useForm();
  const known = secrets.includes(value);
  const [typing, setTyping] = useState(value !== '' && !known);
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
          if (e.target.value === OTHER) {
            setTyping(true);
            return;
          }
          setTyping(false);
          onChange(e.target.value);
        }}
      >
        <option value="">{secrets.length ? 'Choose a secret…' : 'No secrets known to the server'}</option>
        {secrets.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        <option value={OTHER}>Other…</option>
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
    </div>
  );
}

/** Where a secret's value comes from, and a warning when the server does not have it. */
export function SecretHelp({ value }: { value: string }) {
  const { secrets } = useForm();
  const problem = secrets.includes(value) ? null : secretNameProblem(value);
  return (
    <>
      Read from the server environment variable <code>{secretEnvVar(problem ? '' : value)}</code> when needed; the value is never stored in the flow.
      {value !== '' && !problem && !secrets.includes(value) && secrets.length > 0 && (
        <span className="cf-warning"> The server does not have it set yet: until it does, this fails closed.</span>
      )}
    </>
  );
}

/** Whether a secret picker for `value` currently shows an inline name problem (then validation's copy is not repeated). */
export function pickerShowsProblem(value: string, secrets: readonly string[]): boolean {
  return !secrets.includes(value) && secretNameProblem(value) !== null;
}
