import { ALERT_CEL_TYPE, type CelDecl } from '../../../shared/expr/declared-types.js';
import type { ExprScope, ExprVars } from '../../../shared/expr/types.js';
import type { ExpressionLanguage } from './field-model.js';

export interface VariableHint {
  name: string;
  note?: string;
}

const keysOf = (value: unknown): string[] =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];

/** A CEL field access for a key: `alert.labels.instance`, or `alert.labels["my-key"]` when it is not an identifier. */
function access(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** What a step's output holds, from its CEL type: its fields, or what the value is. */
function outputNote(type: CelDecl): string {
  if (JSON.stringify(type) === JSON.stringify(ALERT_CEL_TYPE)) return 'the alert it passed on (as alert)';
  if (type === 'bool') return 'true or false: the way that condition went';
  if (typeof type === 'string') return type === 'dyn' ? 'its output' : `a ${type}`;
  const fields = Object.keys(type).map((f) => `.${f}`);
  return fields.length > 6 ? `${fields.slice(0, 6).join(', ')}, …` : fields.join(', ');
}

/**
 * What an expression can read (docs/flow-format.md, "Variables"), with the sample alert's
 * actual label and annotation keys filled in where known, and the steps that can run before the
 * node (its scope), with what each one's output holds; the expression's own variables (`locals`) first.
 */
export function availableVariables(language: ExpressionLanguage, vars: ExprVars | null, scope: ExprScope, locals: Readonly<Record<string, CelDecl>> = {}): VariableHint[] {
  const labelKeys = keysOf(vars?.alert.labels);
  if (language === 'matchers') {
    // Matchers name labels directly (`instance=~"db-.*"`), not CEL variables.
    return labelKeys.length
      ? labelKeys.map((key) => ({ name: key, note: `= ${JSON.stringify(vars!.alert.labels[key])}` }))
      : [{ name: 'alertname', note: 'and any other label of the alert' }];
  }
  const hints: VariableHint[] = [
    // The expression's own variables first (a check's `response`): what it is there to read.
    ...Object.entries(locals).map(([name, type]) => ({ name, note: outputNote(type) })),
    { name: 'alert.name' },
    { name: 'alert.severity', note: 'critical, high, warning, info, unknown' },
    { name: 'alert.status', note: 'firing or resolved' },
    { name: 'alert.summary' },
  ];
  if (labelKeys.length) hints.push(...labelKeys.map((key) => ({ name: access('alert.labels', key) })));
  else hints.push({ name: 'alert.labels.<key>' });
  const annotationKeys = keysOf(vars?.alert.annotations);
  if (annotationKeys.length) hints.push(...annotationKeys.map((key) => ({ name: access('alert.annotations', key) })));
  else hints.push({ name: 'alert.annotations.<key>' });
  if (scope.steps.size > 0) hints.push(...[...scope.steps].map(([id, type]) => ({ name: `steps.${id}`, note: outputNote(type) })));
  else hints.push({ name: 'steps', note: 'none: no step runs before this node' });
  if (scope.loop !== undefined) hints.push({ name: 'item', note: `this item of loop ${scope.loop}` }, { name: 'index', note: 'its position, from 0' });
  if (scope.vars) hints.push(...[...scope.vars].sort().map((name) => ({ name: `vars.${name}`, note: 'set by a step before' })));
  hints.push({ name: 'event', note: 'the raw delivery body' }, { name: 'flow.id' }, { name: 'execution.id' });
  return hints;
}
