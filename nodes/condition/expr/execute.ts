import { evaluateCelBool } from '../../../shared/expr/index.js';
import { defineExecutor, type StepOutcome } from '../../executor.js';
import { exprCondition } from './definition.js';

/** Evaluates a CEL condition; `true`/`false` port, or a failed step when it cannot be evaluated. */
export function evaluateCondition(expression: string, vars: Parameters<typeof evaluateCelBool>[1]): StepOutcome<boolean> {
  try {
    const result = evaluateCelBool(expression, vars);
    return { type: 'next', port: result ? 'true' : 'false', output: result };
  } catch (error) {
    return { type: 'fail', error: `condition could not be evaluated: ${(error as Error).message}` };
  }
}

/** Runs `condition.expr`: the expression's value picks the port; it has no error port. */
export const executeExprCondition = defineExecutor(exprCondition, async (config, ctx) =>
  evaluateCondition(config.expression, ctx.vars),
);
