import { EVAL_LIMITS, EvalBudget } from './budget.js';
import { checkCel, estimateCel, evaluateCel } from './cel.js';
import { ExpressionError } from './errors.js';
import type { ExprIssue, ExprScope, ExprVars } from './types.js';

/** One piece of a template: literal text, or a `{{ cel }}` part with its offset. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; source: string; offset: number };

/** A rendered piece: literal text, or the text a `{{ cel }}` part gave (with its source). */
export type RenderedPart = { kind: 'text'; text: string } | { kind: 'value'; source: string; text: string };

/** Splits `text` into literal and `{{ … }}` parts; unbalanced braces are issues. */
export function templateParts(text: string): { parts: TemplatePart[]; issues: ExprIssue[] } {
  const parts: TemplatePart[] = [];
  const issues: ExprIssue[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    const strayClose = text.indexOf('}}', i);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      issues.push({ message: '"}}" without a matching "{{"', offset: strayClose });
      return { parts, issues };
    }
    if (open === -1) {
      parts.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: text.slice(i, open) });
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      issues.push({ message: '"{{" is never closed with "}}"', offset: open });
      return { parts, issues };
    }
    const source = text.slice(open + 2, close);
    parts.push({ kind: 'expr', source: source.trim(), offset: open + 2 + (source.length - source.trimStart().length) });
    i = close + 2;
  }
  return { parts, issues };
}

/** True when `text` contains a `{{`. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/**
 * Checks every `{{ … }}` part where the template sits (`scope`, see checkCel), and their cost
 * together (they share a budget); offsets point into the template text.
 */
export function checkTemplate(text: string, scope?: ExprScope): ExprIssue[] {
  const { parts, issues } = templateParts(text);
  const expressions = parts.filter((p) => p.kind === 'expr');
  for (const part of expressions) {
    for (const issue of checkCel(part.source, { scope })) {
      issues.push({ message: `{{ ${part.source} }}: ${issue.message}`, offset: part.offset + (issue.offset ?? 0) });
    }
  }
  if (issues.length === 0 && expressions.length > 1) {
    let steps = 0;
    let bytes = 0;
    for (const part of expressions) {
      const cost = estimateCel(part.source, scope);
      steps += cost?.steps ?? 0;
      bytes += cost?.producedBytes ?? 0;
    }
    if (steps > EVAL_LIMITS.steps) {
      issues.push({ message: `together, the {{ }} parts could run about ${Math.round(steps).toLocaleString('en-US')} loop steps (limit ${EVAL_LIMITS.steps.toLocaleString('en-US')})` });
    } else if (bytes > EVAL_LIMITS.producedBytes) {
      issues.push({ message: `together, the {{ }} parts could build about ${Math.round(bytes / 1048576)} MB of strings and lists (limit ${EVAL_LIMITS.producedBytes / 1048576} MB)` });
    }
  }
  return issues;
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Renders the template once. Each part's value is inserted as text and never evaluated again,
 * so alert data containing `{{ … }}` stays literal. All parts share one evaluation budget
 * (a fresh one unless `budget` is given).
 */
export function renderTemplate(text: string, vars: Partial<ExprVars>, options: { budget?: EvalBudget } = {}): string {
  return renderTemplateParts(text, vars, options)
    .map((p) => p.text)
    .join('');
}

/**
 * Renders each `{{ … }}` part once and returns the pieces in order, so a caller can treat the
 * values apart from the literal text (the URL renderer encodes values per URL component).
 * All parts share one evaluation budget (a fresh one unless `budget` is given).
 */
export function renderTemplateParts(text: string, vars: Partial<ExprVars>, options: { budget?: EvalBudget } = {}): RenderedPart[] {
  const { parts, issues } = templateParts(text);
  if (issues.length) throw new ExpressionError(`invalid template: ${issues[0]!.message}`, issues);
  const budget = options.budget ?? new EvalBudget();
  const out: RenderedPart[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      out.push(part);
      continue;
    }
    try {
      out.push({ kind: 'value', source: part.source, text: stringify(evaluateCel(part.source, vars, { budget })) });
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(`{{ ${part.source} }} failed: ${error.issues[0]?.message ?? error.message}`, error.issues);
      }
      throw error;
    }
  }
  return out;
}
