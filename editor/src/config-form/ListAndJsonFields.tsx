import { useMemo } from 'react';
import { getAt } from './config-paths.js';
import { checkExpression, repeatsProblem, templateStringsIn } from './expression-check.js';
import type { FieldModel } from './field-model.js';
import { FieldShell, helpText } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { useDebounced, useDraft } from './hooks.js';
import { issueText, listIssueText } from './issues.js';
import { formatJson, formatList, parseJsonText, parseListText, textMatches } from './parse-input.js';
import { TemplateLine } from './TemplateLine.js';
import { isTemplateAt } from './template-paths.js';

type Of<K extends FieldModel['kind']> = Extract<FieldModel, { kind: K }>;

/**
 * A list of text or numbers, one item per line (allowed addresses, expected statuses). The text
 * stays as typed (a list rebuilt on every key would eat the new line being started); it is
 * written when every line reads, and empty text removes the field. Problems name the line.
 */
export function ListField({ field }: { field: Of<'list'> }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const value = getAt(ctx.config, field.path);
  const parse = (t: string) => parseListText(t, field.item);
  const [text, setText] = useDraft(value, formatList, (t, v) => textMatches(parse, t, v));
  const parsed = parse(text);
  const lines = parsed.ok ? parsed.lines : [];
  const errors = [...(parsed.ok ? [] : [parsed.message]), ...ctx.issuesAt(field.path).map((i) => listIssueText(i, lines))];
  const count = text.split('\n').length;
  return (
    <FieldShell id={id} label={field.label} required={field.required} errors={errors} help={helpText(field)}>
      {(a11y) => (
        <textarea
          {...a11y}
          name={field.name}
          data-testid={`field-${field.name}`}
          className="cf-code cf-list"
          value={text}
          rows={Math.min(8, Math.max(2, count))}
          placeholder={field.defaultValue === undefined ? undefined : formatList(field.defaultValue)}
          spellCheck={false}
          autoComplete="off"
          inputMode={field.item === 'string' ? undefined : 'numeric'}
          onChange={(e) => {
            setText(e.target.value);
            const next = parse(e.target.value);
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
