import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { defineNodeType } from '../../node-type.js';

export const ExprConditionConfigSchema = z.strictObject({
  /** A CEL expression that gives true or false, e.g. `alert.labels.env == "prod"`. */
  expression: z.string({ error: 'must be a CEL expression' }).trim().min(1, 'expression is empty').max(4096),
});

/** Branches on a CEL expression over the alert, the event and earlier steps. */
export const exprCondition = defineNodeType({
  type: 'condition.expr',
  category: 'condition',
  label: 'If (CEL)',
  defaultId: 'condition',
  description: 'Continues on "true" or "false" depending on a CEL expression, e.g. alert.labels.env == "prod".',
  icon: 'branch',
  configSchema: ExprConditionConfigSchema,
  // The condition's value: true took the first port.
  outputSchema: z.boolean(),
  outputs: ['true', 'false'],
  idempotent: true,
  sideEffects: false,
  expressions: (config) => [{ path: ['expression'], kind: 'cel', source: config.expression, returns: 'bool' }],
  summary: (config) => truncate(config.expression, 80),
  ui: { expression: { widget: 'expression', language: 'cel', label: 'Condition (CEL)', help: 'Must give true or false, e.g. alert.labels.env == "prod" && alert.severity == "critical".' } },
});
