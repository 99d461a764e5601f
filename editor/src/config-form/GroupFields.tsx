import { getAt } from './config-paths.js';
import type { FieldModel } from './field-model.js';
import { describedBy, FieldErrors, FieldShell, helpText, RequiredMark } from './FieldShell.js';
import { FieldView } from './FieldView.js';
import { inputId, useForm } from './form-context.js';
import { issueText } from './issues.js';
import { isRecord } from '../../../shared/guards.js';

type Of<K extends FieldModel['kind']> = Extract<FieldModel, { kind: K }>;

/** A nested object (e.g. `mapping`): its fields in a fieldset. */
export function ObjectField({ field }: { field: Of<'object'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const errors = ctx.issuesAt(field.path).map(issueText);
  const help = helpText(field);
  return (
    <fieldset className="cf-group" aria-describedby={describedBy(id, errors.length > 0, !!help)} data-testid={`group-${field.name}`}>
      <legend>
        {field.label}
        <RequiredMark required={field.required} />
      </legend>
      {help && (
        <div id={`${id}-help`} className="field-help cf-group-help">
          {help}
        </div>
      )}
      <FieldErrors id={`${id}-error`} errors={errors} />
      {field.fields.map((child) => (
        <FieldView key={child.name} field={child} />
      ))}
    </fieldset>
  );
}

/**
 * A discriminated union (e.g. `auth`): a select for the discriminator, then the chosen
 * variant's fields. Switching variant starts the object afresh — a bearer token has no
 * business staying in a basic-auth config.
 */
export function UnionField({ field }: { field: Of<'union'> }) {
  const ctx = useForm();
  const value = getAt(ctx.config, field.path);
  const chosen = isRecord(value) && typeof value[field.discriminator] === 'string' ? (value[field.discriminator] as string) : '';
  const variant = field.variants.find((v) => v.value === chosen);
  const discName = `${field.name}.${field.discriminator}`;
  const id = inputId(ctx, discName);
  const errors = [...ctx.issuesAt(field.path), ...ctx.issuesAt([...field.path, field.discriminator])].map(issueText);
  const help = helpText(field, variant?.help);
  const writeVariant = (next: string) =>
    ctx.writeField(field, next === '' ? undefined : { [field.discriminator]: next }, discName);

  return (
    <fieldset className="cf-group" data-testid={`group-${field.name}`}>
      <legend>
        {field.label}
        <RequiredMark required={field.required} />
      </legend>
      <FieldShell id={id} label="Type" required={field.required} errors={errors} help={help}>
        {(a11y) => (
          <select {...a11y} name={discName} data-testid={`field-${discName}`} value={chosen} onChange={(e) => writeVariant(e.target.value)}>
            {!variant && <option value="">{chosen ? `${chosen} (not valid)` : 'Choose…'}</option>}
            {field.variants.map((v) => (
              <option key={v.value} value={v.value}>
                {v.value}
              </option>
            ))}
          </select>
        )}
      </FieldShell>
      {variant?.fields.map((child) => <FieldView key={child.name} field={child} />)}
    </fieldset>
  );
}
