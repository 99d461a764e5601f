import { createContext, useContext } from 'react';
import type { ExprScope, ExpressionRef } from '../../../shared/expr/types.js';
import type { PreviewContext } from './ConfigForm.js';
import type { Path } from './config-paths.js';
import type { PlacedIssue } from './issues.js';
import type { SecretChoices } from '../secrets/useSecrets.js';

/** Where an expression of the config sits, beyond its node's scope (ExpressionRef). */
export type ExpressionSiteInfo = Pick<ExpressionRef, 'returns' | 'locals'>;

/** What every field of one form shares: where to write, its issues, the preview and pickers' data. */
export interface FormContextValue {
  /** From useId: makes element ids unique per form (several forms may be on a page). */
  idBase: string;
  config: Record<string, unknown>;
  /** Writes `value` at `path` (`undefined` removes it); `changed` is the dotted path for undo grouping. */
  write(path: Path, value: unknown, changed: string): void;
  /** Writes a field's value, removing it when it is empty and optional. */
  writeField(field: { path: Path; required: boolean; name: string }, value: unknown, changed?: string): void;
  issuesAt(path: Path): PlacedIssue[];
  preview: PreviewContext | null;
  /** The server's secrets for the pickers, and how to add one created from a picker. */
  secrets: SecretChoices;
  /** What the node's expressions can read: the steps that can run before it. */
  scope: ExprScope;
  /** What the node type's expressions say of the expression at `path`: a condition, its own variables. */
  siteAt(path: Path): ExpressionSiteInfo;
  /** See template-paths.ts. */
  templatePaths: Set<string> | null;
}

export const FormContext = createContext<FormContextValue | null>(null);

export function useForm(): FormContextValue {
  const ctx = useContext(FormContext);
  if (!ctx) throw new Error('config-form fields must be rendered inside ConfigForm');
  return ctx;
}

/** The element id of the input for dotted path `name`. */
export function inputId(ctx: FormContextValue, name: string): string {
  return `${ctx.idBase}-${name}`;
}
