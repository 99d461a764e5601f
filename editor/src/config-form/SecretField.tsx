import { useState } from 'react';
import { isSecretRef } from '../../../shared/flow/schema.js';
import { getAt } from './config-paths.js';
import type { FieldModel } from './field-model.js';
import { FieldShell, helpText } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { issueText } from './issues.js';
import { pickerShowsProblem, SecretHelp, SecretPicker } from './SecretPicker.js';
import { ModeToggle } from './ModeToggle.js';

type SecretModel = Extract<FieldModel, { kind: 'secret' }>;

/** A secret reference field (`auth.token`), or with `allowText` a string-or-secret field. */
export function SecretField({ field }: { field: SecretModel }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  // With nothing written yet, the toggle's own state says which input to show.
  const [preferred, setPreferred] = useState<'text' | 'secret'>('secret');
  const mode = !field.allowText || isSecretRef(value) ? 'secret' : typeof value === 'string' ? 'text' : preferred;
  const secretName = isSecretRef(value) ? value.secret : '';
  const showsProblem = mode === 'secret' && pickerShowsProblem(secretName, ctx.secrets);
  const errors = ctx
    .issuesAt(field.path)
    // The picker already says what is wrong with the name it shows.
    .filter((i) => !(showsProblem && i.rest[0] === 'secret'))
    .map(issueText);
  const writeSecret = (name: string) => ctx.writeField(field, name === '' ? undefined : { secret: name });

  return (
    <FieldShell
      id={id}
      label={field.label}
      required={field.required}
      errors={errors}
      help={helpText(field, mode === 'secret' && <SecretHelp value={secretName} />)}
    >
      {(a11y) => (
        <div className="stack cf-tight">
          {field.allowText && (
            <ModeToggle
              label={`Value of ${field.label}`}
              mode={mode}
              testId={`field-${field.name}.mode`}
              onChange={(next) => {
                // Cleared on purpose: typed text must not become a secret's name, or the reverse.
                setPreferred(next);
                ctx.writeField(field, undefined);
              }}
            />
          )}
          {mode === 'secret' ? (
            <SecretPicker a11y={a11y} name={field.name} value={secretName} onChange={writeSecret} showHelp={false} fieldLabel={field.label} />
          ) : (
            <input
              {...a11y}
              type="text"
              name={field.name}
              data-testid={`field-${field.name}`}
              value={typeof value === 'string' ? value : ''}
              autoComplete="off"
              onChange={(e) => ctx.writeField(field, e.target.value)}
            />
          )}
        </div>
      )}
    </FieldShell>
  );
}
