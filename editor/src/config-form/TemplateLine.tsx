import { useMemo } from 'react';
import { checkExpression, previewExpression, type ExpressionProblem } from './expression-check.js';
import { useForm } from './form-context.js';
import { useDebounced } from './hooks.js';

/** The template check of a string inside another widget (argv item, header value, JSON string). */
export function useTemplateProblem(text: string, isTemplate: boolean): ExpressionProblem | null {
  const { scope } = useForm();
  const settled = useDebounced(text, 150);
  return useMemo(() => (isTemplate ? checkExpression('template', settled, { scope }) : null), [isTemplate, settled, scope]);
}

/**
 * A compact line under a template string: its problem, or what it renders to for the sample
 * alert. `id` lets the input point aria-describedby at it.
 */
export function TemplateLine({ id, text, problem, where }: { id: string; text: string; problem: ExpressionProblem | null; where?: string }) {
  const { preview, scope } = useForm();
  const settled = useDebounced(text, 150);
  const result = useMemo(
    () => (preview && !problem && settled.includes('{{') ? previewExpression('template', settled, preview.vars, scope) : null),
    [preview, problem, settled, scope],
  );
  const prefix = where ? `${where}: ` : '';
  if (problem) {
    return (
      <div id={id} className="field-error cf-template-line">
        {prefix}
        {problem.text}
      </div>
    );
  }
  if (!result) return null;
  return (
    <div id={id} className="cf-template-line cf-inline-preview" title={preview?.description}>
      {result.ok ? (
        <>
          <span className="cf-arrow" aria-hidden="true">
            {prefix}→
          </span>
          <span className="visually-hidden">{`${prefix}renders as`}</span>{' '}
          <code>{result.text === '' ? '(empty)' : result.text}</code>
        </>
      ) : (
        <span className="muted">
          {prefix}preview: {result.message}
        </span>
      )}
    </div>
  );
}
