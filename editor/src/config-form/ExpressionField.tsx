import { useMemo } from 'react';
import { getAt } from './config-paths.js';
import type { FieldModel } from './field-model.js';
import { checkExpression, previewExpression, repeatsProblem } from './expression-check.js';
import { FieldShell, helpText } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { useDebounced } from './hooks.js';
import { issueText } from './issues.js';
import { availableVariables } from './variables.js';

type ExpressionModel = Extract<FieldModel, { kind: 'expression' }>;

const LANGUAGE_NAMES = { cel: 'CEL expression', template: 'Template: text with {{ cel }} parts', url: 'URL template: values in the host must be a host name; elsewhere they are encoded', promql: 'PromQL query: {{ cel }} parts only inside double-quoted strings, where they are escaped', matchers: 'Alertmanager matchers' };

/** Rows for a textarea holding `text`: grows with content, up to a limit (field-sizing does the rest where supported). */
function rowsFor(text: string): number {
  const lines = text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 40)), 0);
  return Math.min(8, Math.max(1, lines));
}

/** A CEL / template / matchers field: checked as you type, previewed against the sample alert. */
export function ExpressionField({ field }: { field: ExpressionModel }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const raw = getAt(ctx.config, field.path);
  const text = typeof raw === 'string' ? raw : raw === undefined ? '' : JSON.stringify(raw);
  const settled = useDebounced(text, 150);
  const { returns, locals } = ctx.siteAt(field.path);
  const problem = useMemo(() => checkExpression(field.language, settled, { scope: ctx.scope, returns, locals }), [field.language, settled, ctx.scope, returns, locals]);
  const result = useMemo(
    () => (ctx.preview && !problem && settled.trim() !== '' ? previewExpression(field.language, settled, ctx.preview.vars, ctx.scope, locals) : null),
    [ctx.preview, problem, settled, field.language, ctx.scope, locals],
  );
  const errors = [
    ...(problem ? [problem.text] : []),
    ...ctx
      .issuesAt(field.path)
      .filter((i) => !repeatsProblem(i.message, problem))
      .map(issueText),
  ];
  const placeholder = typeof field.defaultValue === 'string' ? field.defaultValue : undefined;
  const variables = availableVariables(field.language, ctx.preview?.vars ?? null, ctx.scope, locals);

  return (
    <FieldShell
      id={id}
      label={field.label}
      required={field.required}
      errors={errors}
      help={helpText(field, LANGUAGE_NAMES[field.language])}
      describedByExtra={[result !== null && `${id}-preview`]}
      after={
        <>
          {result && ctx.preview && (
            <div id={`${id}-preview`} className="cf-preview" data-testid={`preview-${field.name}`}>
              <div className="cf-preview-label">Preview · {ctx.preview.description}</div>
              {result.ok ? (
                <output className={`cf-preview-value${result.outcome ? ` cf-outcome-${result.outcome}` : ''}`} htmlFor={id}>
                  {result.text === '' ? <span className="muted">(empty)</span> : result.text}
                </output>
              ) : (
                <div className="cf-preview-muted">preview: {result.message}</div>
              )}
            </div>
          )}
          <details className={`cf-vars${text.trim() === '' ? ' cf-vars-idle' : ''}`}>
            <summary>{field.language === 'matchers' ? 'Labels you can match' : 'Available variables'}</summary>
            <ul>
              {variables.map((v) => (
                <li key={v.name}>
                  <code>{v.name}</code>
                  {v.note && <span className="muted"> {v.note}</span>}
                </li>
              ))}
            </ul>
          </details>
        </>
      }
    >
      {(a11y) => (
        <textarea
          {...a11y}
          name={field.name}
          data-testid={`field-${field.name}`}
          className="cf-code"
          value={text}
          rows={rowsFor(text)}
          placeholder={placeholder}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          onChange={(e) => ctx.writeField(field, e.target.value)}
        />
      )}
    </FieldShell>
  );
}
