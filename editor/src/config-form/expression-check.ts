import {
  evaluateCel,
  evaluateCelBool,
  ExpressionError,
  matchersToCel,
  parseMatchers,
  renderTemplate,
  renderPromqlTemplate,
  renderUrlTemplate,
  stepsReadBy,
  type ExprIssue,
  type ExprScope,
  type ExprVars,
  type ExpressionRef,
} from '../../../shared/expr/index.js';
import { templateParts } from '../../../shared/expr/template.js';
import { checkExpressionRef } from '../../../shared/flow/validate.js';
import type { ExpressionLanguage } from './field-model.js';

/** A syntax or type problem found while typing. `message` is what validation also reports. */
export interface ExpressionProblem {
  message: string;
  /** The message with its position, for display. */
  text: string;
}

function fromIssue(issue: ExprIssue): ExpressionProblem {
  return {
    message: issue.message,
    text: issue.offset === undefined ? issue.message : `${issue.message} (at character ${issue.offset + 1})`,
  };
}

/**
 * Where an expression sits: what its node can read (the steps before it), whether it is a
 * condition, and the variables only it has (a check's `response`), as the node type lists them.
 */
export interface ExpressionSite {
  scope: ExprScope;
  returns?: 'bool';
  locals?: ExpressionRef['locals'];
}

/**
 * The first problem in `source` as the server will see it, or null: the flow validator's own
 * check of an expression (checkExpressionRef), where it sits. Empty text is not checked here: an
 * empty optional field is removed, and a required one is reported by validation.
 */
export function checkExpression(language: ExpressionLanguage, source: string, site: ExpressionSite): ExpressionProblem | null {
  if (source.trim() === '') return null;
  const first = (issues: ExprIssue[]) => (issues[0] ? fromIssue(issues[0]) : null);
  switch (language) {
    case 'cel':
      return first(checkExpressionRef({ kind: 'cel', source, returns: site.returns, locals: site.locals }, site.scope));
    case 'template':
      return first(checkExpressionRef({ kind: 'template', source }, site.scope));
    case 'url':
      // A URL without {{ }} is checked by the form's schema (http:// or https://), not here.
      return source.includes('{{') ? first(checkExpressionRef({ kind: 'url', source }, site.scope)) : null;
    case 'promql':
      return first(checkExpressionRef({ kind: 'promql', source }, site.scope));
    case 'matchers':
      try {
        // parseMatchers also runs checkRegex on every =~ / !~ value (as written; it then runs anchored).
        parseMatchers(source);
        return first(checkExpressionRef({ kind: 'cel', source: matchersToCel(source), returns: site.returns }, site.scope));
      } catch (error) {
        // Its message already carries "(at character N)".
        if (error instanceof ExpressionError) return { message: error.message, text: error.message };
        throw error;
      }
  }
}

export type PreviewResult =
  | { ok: true; text: string; outcome?: 'match' | 'nomatch' | 'true' | 'false' }
  | { ok: false; message: string };

function show(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function failed(error: unknown): PreviewResult {
  if (error instanceof ExpressionError || error instanceof Error) return { ok: false, message: error.message };
  return { ok: false, message: String(error) };
}

/** The steps an expression or template reads (matchers read only labels). */
function stepsIn(language: ExpressionLanguage, source: string): string[] {
  if (language === 'matchers') return [];
  if (language === 'cel') return stepsReadBy(source);
  return [...new Set(templateParts(source).parts.flatMap((p) => (p.kind === 'expr' ? stepsReadBy(p.source) : [])))];
}

/**
 * Why the sample cannot show what `source` gives, when it reads a step the sample has no output
 * of: one the test did not reach or did not run (a test runs nothing with side effects, and leaves
 * such a step's output null), or a name that is no step before this node.
 */
function missingStep(language: ExpressionLanguage, source: string, vars: ExprVars, scope: ExprScope): string | null {
  for (const id of stepsIn(language, source)) {
    const output = (vars.steps as Record<string, unknown>)[id];
    if (output !== undefined && output !== null) continue;
    if (!scope.nodeIds.has(id)) return `no step named "${id}"`;
    if (!scope.steps.has(id)) return `step "${id}" does not run before this node`;
    return `step "${id}" not run yet, so its output is unknown here (a test runs only steps without side effects)`;
  }
  return null;
}

/**
 * What `source` gives for the sample variables: rendered text, a JSON value, or match / no
 * match; what it cannot show when it reads a step the sample has no output of.
 */
export function previewExpression(language: ExpressionLanguage, source: string, vars: ExprVars, scope: ExprScope, locals?: ExpressionRef['locals']): PreviewResult {
  // A sample has no value for them (a check's `response` is its answer): nothing to show before the step runs.
  const own = Object.keys(locals ?? {});
  if (own.length > 0) return { ok: false, message: `${own.join(', ')} ${own.length === 1 ? 'is' : 'are'} known only when the step runs` };
  const missing = missingStep(language, source, vars, scope);
  if (missing) return { ok: false, message: missing };
  try {
    switch (language) {
      case 'template':
        return { ok: true, text: renderTemplate(source, vars) };
      case 'url':
        // Rendered per URL component, exactly as the step will: a bad value shows its refusal.
        return { ok: true, text: source.includes('{{') ? renderUrlTemplate(source, vars) : source };
      case 'promql':
        // Each value escaped for the string it sits in, exactly as the step will.
        return { ok: true, text: renderPromqlTemplate(source, vars) };
      case 'cel': {
        const value = evaluateCel(source, vars);
        if (typeof value === 'boolean') return { ok: true, text: String(value), outcome: value ? 'true' : 'false' };
        return { ok: true, text: show(value) };
      }
      case 'matchers': {
        const matches = evaluateCelBool(matchersToCel(source), vars);
        return matches
          ? { ok: true, text: 'matches the sample alert', outcome: 'match' }
          : { ok: true, text: 'does not match', outcome: 'nomatch' };
      }
    }
  } catch (error) {
    return failed(error);
  }
}

/** Every string containing `{{` inside a JSON value, with its path below that value. */
export function templateStringsIn(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; text: string }[] {
  if (typeof value === 'string') return value.includes('{{') ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => templateStringsIn(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => templateStringsIn(v, [...path, k]));
  return [];
}

/** Whether a validation message repeats a problem the field already shows from its own check. */
export function repeatsProblem(issueMessage: string, problem: ExpressionProblem | null): boolean {
  return problem !== null && issueMessage.includes(problem.message);
}
