import { useFlowChoices } from './useFlowChoices.js';
import { getAt } from './config-paths.js';
import type { FieldModel } from './field-model.js';
import { FieldShell, helpText } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { useDraft } from './hooks.js';
import { issueText } from './issues.js';
import { parseNumberText, textMatches } from './parse-input.js';
import { TemplateLine, useTemplateProblem } from './TemplateLine.js';
import { isTemplateAt } from './template-paths.js';
import { repeatsProblem } from './expression-check.js';

type Of<K extends FieldModel['kind']> = Extract<FieldModel, { kind: K }>;

const asText = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
const placeholderOf = (value: unknown) => (value === undefined ? undefined : asText(value));

export function TextField({ field }: { field: Of<'text'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const text = asText(getAt(ctx.config, field.path));
  const flows = useFlowChoices(field.suggest === 'flows');
  const isTemplate = isTemplateAt(ctx.templatePaths, field.path, text);
  const problem = useTemplateProblem(text, isTemplate);
  const errors = ctx
    .issuesAt(field.path)
    .filter((i) => !repeatsProblem(i.message, problem))
    .map(issueText);
  return (
    <FieldShell
      id={id}
      label={field.label}
      required={field.required}
      errors={errors}
      help={helpText(field)}
      describedByExtra={[isTemplate && `${id}-template`]}
      after={isTemplate && <TemplateLine id={`${id}-template`} text={text} problem={problem} />}
    >
      {(a11y) =>
        field.multiline ? (
          <textarea
            {...a11y}
            name={field.name}
            data-testid={`field-${field.name}`}
            className="cf-code cf-list"
            value={text}
            rows={Math.min(8, Math.max(2, text.split('\n').length))}
            placeholder={placeholderOf(field.defaultValue)}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => ctx.writeField(field, e.target.value)}
          />
        ) : (
          <>
            <input
              {...a11y}
              type="text"
              name={field.name}
              data-testid={`field-${field.name}`}
              value={text}
              placeholder={placeholderOf(field.defaultValue)}
              autoComplete="off"
              spellCheck={false}
              list={field.suggest ? `${id}-choices` : undefined}
              onChange={(e) => ctx.writeField(field, e.target.value)}
            />
            {field.suggest && (
              <datalist id={`${id}-choices`} data-testid={`choices-${field.name}`}>
                {flows.map((f) => (
                  <option key={f.id} value={f.id} label={f.name} />
                ))}
              </datalist>
            )}
          </>
        )
      }
    </FieldShell>
  );
}

const formatNumber = (value: unknown) => (value === undefined ? '' : asText(value));

export function NumberField({ field }: { field: Of<'number'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const [text, setText] = useDraft(value, formatNumber, (t, v) => textMatches(parseNumberText, t, v));
  const parsed = parseNumberText(text);
  const errors = [...(parsed.ok ? [] : [parsed.message]), ...ctx.issuesAt(field.path).map(issueText)];
  return (
    <FieldShell id={id} label={field.label} required={field.required} errors={errors} help={helpText(field)}>
      {(a11y) => (
        <input
          {...a11y}
          type="text"
          inputMode={field.integer ? 'numeric' : 'decimal'}
          name={field.name}
          data-testid={`field-${field.name}`}
          className="cf-number"
          value={text}
          placeholder={placeholderOf(field.defaultValue)}
          autoComplete="off"
          onChange={(e) => {
            setText(e.target.value);
            const next = parseNumberText(e.target.value);
            if (next.ok) ctx.writeField(field, next.value);
          }}
        />
      )}
    </FieldShell>
  );
}

export function BooleanField({ field }: { field: Of<'boolean'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const checked = typeof value === 'boolean' ? value : field.defaultValue === true;
  return (
    <FieldShell id={id} label={field.label} required={field.required} errors={ctx.issuesAt(field.path).map(issueText)} help={helpText(field)} inline>
      {(a11y) => (
        <input
          {...a11y}
          type="checkbox"
          name={field.name}
          data-testid={`field-${field.name}`}
          checked={checked}
          onChange={(e) => ctx.writeField(field, e.target.checked)}
        />
      )}
    </FieldShell>
  );
}

export function SelectField({ field }: { field: Of<'select'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const fallback = typeof field.defaultValue === 'string' ? field.defaultValue : '';
  const current = typeof value === 'string' ? value : value === undefined ? fallback : JSON.stringify(value);
  // "Leave out" is offered when nothing would be written otherwise; a default needs no empty choice.
  const offerEmpty = field.defaultValue === undefined;
  const invalid = current !== '' && !field.options.includes(current);
  return (
    <FieldShell id={id} label={field.label} required={field.required} errors={ctx.issuesAt(field.path).map(issueText)} help={helpText(field)}>
      {(a11y) => (
        <select
          {...a11y}
          name={field.name}
          data-testid={`field-${field.name}`}
          value={current}
          onChange={(e) => ctx.writeField(field, e.target.value === '' ? undefined : e.target.value)}
        >
          {offerEmpty && <option value="">{field.required ? 'Choose…' : '(not set)'}</option>}
          {invalid && <option value={current}>{current} (not valid)</option>}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
              {option === field.defaultValue ? ' (default)' : ''}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}
