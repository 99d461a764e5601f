import type { ExprVars } from '../../../shared/expr/types.js';
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

/**
 * What an expression can read (docs/flow-format.md, "Variables"), with the sample alert's
 * actual label and annotation keys and the flow's node ids filled in where known.
 */
export function availableVariables(language: ExpressionLanguage, vars: ExprVars | null, nodeIds: readonly string[]): VariableHint[] {
  const labelKeys = keysOf(vars?.alert.labels);
  if (language === 'matchers') {
    // Matchers name labels directly (`instance=~"db-.*"`), not CEL variables.
    return labelKeys.length
      ? labelKeys.map((key) => ({ name: key, note: `= ${JSON.stringify(vars!.alert.labels[key])}` }))
      : [{ name: 'alertname', note: 'and any other label of the alert' }];
  }
  const hints: VariableHint[] = [
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
  if (nodeIds.length) hints.push(...nodeIds.map((id) => ({ name: `steps.${id}…`, note: 'output of that step, once it ran' })));
  else hints.push({ name: 'steps.<nodeId>…', note: 'output of an earlier step' });
  hints.push({ name: 'event', note: 'the raw delivery body' }, { name: 'flow.id' }, { name: 'execution.id' });
  return hints;
}
