import { evaluateCelBool } from '../../../shared/expr/index.js';
import { defineExecutor } from '../../executor.js';
import { exprCondition } from './definition.js';

export const executeExpr = defineExecutor(exprCondition, async (config, ctx) => {
  try {
    const result = evaluateCelBool(config.expression, ctx.vars);
    return { type: 'next', port: result ? 'true' : 'false', output: { result } };
  } catch (error) {
    return { type: 'fail', error: (error as Error).message };
  }
});
