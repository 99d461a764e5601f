import type { ReactNode } from 'react';
import { distinctHelpParts } from './help-parts.js';

/** Props every input of a field gets, so its label, help and errors are announced with it. */
export interface InputA11y {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  'aria-required'?: true;
}

/** The ids a field's help and errors use, so row widgets can point their inputs at them too. */
export function describedBy(id: string, hasErrors: boolean, hasHelp: boolean, extra: (string | false | undefined)[] = []): string | undefined {
  const ids = [hasErrors && `${id}-error`, hasHelp && `${id}-help`, ...extra].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function FieldErrors({ id, errors }: { id: string; errors: readonly string[] }) {
  if (errors.length === 0) return null;
  return (
    <div id={id} className="field-error cf-errors">
      {errors.map((e, i) => (
        <div key={i}>{e}</div>
      ))}
    </div>
  );
}

export function RequiredMark({ required }: { required: boolean }) {
  if (!required) return null;
  return (
    <span className="cf-required" title="required">
      {' '}
      *<span className="visually-hidden"> (required)</span>
    </span>
  );
}

interface FieldShellProps {
  /** The input's id; the label points at it. */
  id: string;
  label: string;
  required: boolean;
  help?: ReactNode;
  errors: readonly string[];
  /** Element ids (e.g. a template check) the input should also be described by. */
  describedByExtra?: (string | false | undefined)[];
  /** Checkbox layout: the box before its label. */
  inline?: boolean;
  children: (a11y: InputA11y) => ReactNode;
  /** Shown under the input: previews, variable help. */
  after?: ReactNode;
}

/** One labelled field: label, input, errors, then help (`.field` from app.css). */
export function FieldShell({ id, label, required, help, errors, describedByExtra, inline, children, after }: FieldShellProps) {
  const a11y: InputA11y = { id };
  const by = describedBy(id, errors.length > 0, !!help, describedByExtra);
  if (by) a11y['aria-describedby'] = by;
  if (errors.length) a11y['aria-invalid'] = true;
  if (required) a11y['aria-required'] = true;
  const labelEl = (
    <label htmlFor={id}>
      {label}
      <RequiredMark required={required} />
    </label>
  );
  return (
    <div className={`field cf-field${inline ? ' cf-inline' : ''}`}>
      {inline ? (
        <div className="row">
          {children(a11y)}
          {labelEl}
        </div>
      ) : (
        <>
          {labelEl}
          {children(a11y)}
        </>
      )}
      <FieldErrors id={`${id}-error`} errors={errors} />
      {after}
      {help && (
        <div id={`${id}-help`} className="field-help">
          {help}
        </div>
      )}
    </div>
  );
}

/** A field's own help and the schema's constraints, as one help line (parts joined by CSS), each said once. */
export function helpText(field: { help?: string; constraint?: string }, ...more: ReactNode[]): ReactNode {
  const parts = distinctHelpParts<ReactNode>([field.help, field.constraint, ...more]);
  if (parts.length === 0) return undefined;
  return parts.map((part, i) => (
    <span key={i} className="cf-help-part">
      {part}
    </span>
  ));
}
