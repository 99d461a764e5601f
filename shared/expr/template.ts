import { EVAL_LIMITS, EvalBudget } from './budget.js';
import { checkCel, estimateCel, evaluateCel } from './cel.js';
import { ExpressionError } from './errors.js';
import type { ExprIssue, ExprVars } from './types.js';

/** One piece of a template: literal text, or a `{{ cel }}` part with its offset. */
type Part = { kind: 'text'; text: string } | { kind: 'expr'; source: string; offset: number };

/** Splits `text` into literal and `{{ … }}` parts; unbalanced braces are issues. */
function split(text: string): { parts: Part[]; issues: ExprIssue[] } {
  const parts: Part[] = [];
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

/** Checks every `{{ … }}` part, and their cost together (they share a budget); offsets point into the template text. */
export function checkTemplate(text: string): ExprIssue[] {
  const { parts, issues } = split(text);
  const expressions = parts.filter((p) => p.kind === 'expr');
  for (const part of expressions) {
    for (const issue of checkCel(part.source)) {
      issues.push({ message: `{{ ${part.source} }}: ${issue.message}`, offset: part.offset + (issue.offset ?? 0) });
    }
  }
  if (issues.length === 0 && expressions.length > 1) {
    let steps = 0;
    let bytes = 0;
    for (const part of expressions) {
      const cost = estimateCel(part.source);
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
  const { parts, issues } = split(text);
  if (issues.length) throw new ExpressionError(`invalid template: ${issues[0]!.message}`, issues);
  const budget = options.budget ?? new EvalBudget();
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    try {
      out += stringify(evaluateCel(part.source, vars, { budget }));
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(`{{ ${part.source} }} failed: ${error.issues[0]?.message ?? error.message}`, error.issues);
      }
      throw error;
    }
  }
  return out;
}
