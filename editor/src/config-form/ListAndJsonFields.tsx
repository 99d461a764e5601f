import { useMemo } from 'react';
import { getAt } from './config-paths.js';
import { checkExpression, repeatsProblem, templateStringsIn } from './expression-check.js';
import type { FieldModel } from './field-model.js';
import { FieldShell, helpText } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { useDebounced, useDraft } from './hooks.js';
import { issueText } from './issues.js';
import { formatJson, formatNumberList, parseJsonText, parseNumberListText, textMatches } from './parse-input.js';
import { TemplateLine } from './TemplateLine.js';
import { isTemplateAt } from './template-paths.js';

type Of<K extends FieldModel['kind']> = Extract<FieldModel, { kind: K }>;

/** A list of numbers typed as `200, 204`. Written only when every item is a number. */
export function NumberListField({ field }: { field: Of<'numberList'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const [text, setText] = useDraft(value, formatNumberList, (t, v) => textMatches(parseNumberListText, t, v));
  const parsed = parseNumberListText(text);
  const errors = [...(parsed.ok ? [] : [parsed.message]), ...ctx.issuesAt(field.path).map(issueText)];
  return (
    <FieldShell id={id} label={field.label} required={field.required} errors={errors} help={helpText(field)}>
      {(a11y) => (
        <input
          {...a11y}
          type="text"
          inputMode="numeric"
          name={field.name}
          data-testid={`field-${field.name}`}
          className="cf-code"
          value={text}
          placeholder={field.defaultValue === undefined ? undefined : formatNumberList(field.defaultValue)}
          autoComplete="off"
          onChange={(e) => {
            setText(e.target.value);
            const next = parseNumberListText(e.target.value);
            if (next.ok) ctx.writeField(field, next.value);
          }}
        />
      )}
    </FieldShell>
  );
}

/**
 * Raw JSON. Only text that parses is written; while it does not, the parse error shows and the
 * config keeps its last valid value. Empty text removes the field.
 */
export function JsonField({ field }: { field: Of<'json'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const [text, setText] = useDraft(value, formatJson, (t, v) => textMatches(parseJsonText, t, v));
  const parsed = parseJsonText(text);
  // Strings inside the value that are templates get the same check as template fields.
  const settledValue = useDebounced(value, 150);
  const templates = useMemo(
    () =>
      templateStringsIn(settledValue)
        .filter((t) => isTemplateAt(ctx.templatePaths, [...field.path, ...t.path], t.text))
        .map((t) => ({ ...t, problem: checkExpression('template', t.text, { scope: ctx.scope }) })),
    [settledValue, ctx.templatePaths, field.path, ctx.scope],
  );
  const errors = [
    ...(parsed.ok ? [] : [parsed.message]),
    ...ctx
      .issuesAt(field.path)
      .filter((i) => !templates.some((t) => repeatsProblem(i.message, t.problem)))
      .map(issueText),
  ];
  const placeholder = field.defaultValue === undefined ? (field.compact ? undefined : 'JSON, e.g. {"key": "value"}') : formatJson(field.defaultValue);
  const templateIds = templates.map((_, i) => `${id}-template-${i}`);
  return (
    <FieldShell
      id={id}
      label={field.label}
      required={field.required}
      errors={errors}
      help={helpText(field, !field.required && 'Leave empty to leave it out')}
      describedByExtra={templateIds}
      after={
        templates.length > 0 && (
          <div className="cf-template-list">
            {templates.map((t, i) => (
              <TemplateLine key={i} id={templateIds[i]!} text={t.text} problem={t.problem} where={t.path.length ? t.path.join('.') : undefined} />
            ))}
          </div>
        )
      }
    >
      {(a11y) => (
        <textarea
          {...a11y}
          name={field.name}
          data-testid={`field-${field.name}`}
          className="cf-code"
          value={text}
          rows={field.compact ? 1 : Math.min(10, Math.max(3, text.split('\n').length))}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setText(e.target.value);
            const next = parseJsonText(e.target.value);
            if (next.ok) ctx.writeField(field, next.value);
          }}
        />
      )}
    </FieldShell>
  );
}
