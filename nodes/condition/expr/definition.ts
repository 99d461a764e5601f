import { z } from 'zod';
import { defineNode } from '../../definition.js';

export const ExprConfigSchema = z.strictObject({
  expression: z.string().min(1, 'expression is required'),
});

/** A CEL condition: `true` or `false`. */
export const exprCondition = defineNode({
  type: 'condition.expr',
  version: 1,
  category: 'condition',
  label: 'If (CEL)',
  description: 'Continues on "true" or "false" depending on a CEL expression, e.g. alert.severity == "critical".',
  icon: 'branch',
  configSchema: ExprConfigSchema,
  outputs: ['true', 'false'],
  idempotent: true,
  sideEffects: false,
  expressions: (c) => [{ path: ['expression'], kind: 'cel', source: c.expression }],
  summary: (c) => c.expression,
  ui: { expression: { widget: 'expression', language: 'cel' } },
});
