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
  portHelp: {"true": "the expression gave true", "false": "the expression gave false"},
  notes: [
    "Example: `alert.severity == \"critical\" && steps.check.status == 200`.",
    "When the flow is saved, the expression must type-check to `bool`: `alert.severity` alone is refused (`this condition gives a string, not true/false: compare it, e.g. alert.severity == \"critical\"`). A value known only when it runs (a field of `event`, an HTTP body) is accepted and checked then. It may read only the steps that run before the node (see [Variables](flow-format.md#variables)). The step's output is the bool it gave.",
    "An expression that fails at run time (for example a missing label: use `has(alert.labels.x)` or `\"x\" in alert.labels`) fails the step; the execution ends `failed`.",
  ],
  ui: { expression: { widget: 'expression', language: 'cel', label: 'Condition (CEL)', help: 'Must give true or false, e.g. alert.labels.env == "prod" && alert.severity == "critical".' } },
});
