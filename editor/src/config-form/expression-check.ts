import {
  checkCel,
  checkTemplate,
  checkUrlTemplate,
  evaluateCel,
  evaluateCelBool,
  ExpressionError,
  matchersToCel,
  parseMatchers,
  renderTemplate,
  renderUrlTemplate,
  type ExprIssue,
  type ExprVars,
} from '../../../shared/expr/index.js';
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
 * The first problem in `source` as the server will see it, or null. Empty text is not checked
 * here: an empty optional field is removed, and a required one is reported by validation.
 */
export function checkExpression(language: ExpressionLanguage, source: string): ExpressionProblem | null {
  if (source.trim() === '') return null;
  switch (language) {
    case 'cel': {
      const issue = checkCel(source)[0];
      return issue ? fromIssue(issue) : null;
    }
    case 'template': {
      const issue = checkTemplate(source)[0];
      return issue ? fromIssue(issue) : null;
    }
    case 'url': {
      // A URL without {{ }} is checked by the form's schema (http:// or https://), not here.
      const issue = source.includes('{{') ? checkUrlTemplate(source)[0] : undefined;
      return issue ? fromIssue(issue) : null;
    }
    case 'matchers':
      try {
        // parseMatchers also runs checkRegex on every =~ / !~ value (as written; it then runs anchored).
        parseMatchers(source);
        const issue = checkCel(matchersToCel(source))[0];
        return issue ? fromIssue(issue) : null;
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

/** What `source` gives for the sample variables: rendered text, a JSON value, or match / no match. */
export function previewExpression(language: ExpressionLanguage, source: string, vars: ExprVars): PreviewResult {
  try {
    switch (language) {
      case 'template':
        return { ok: true, text: renderTemplate(source, vars) };
      case 'url':
        // Rendered per URL component, exactly as the step will: a bad value shows its refusal.
        return { ok: true, text: source.includes('{{') ? renderUrlTemplate(source, vars) : source };
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
