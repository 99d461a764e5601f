import { EvalBudget, evaluateCel } from '../../../shared/expr/index.js';
import { defineExecutor } from '../../executor.js';
import { setTransform } from './definition.js';

/** Most bytes of JSON the values of one step may take: they are stored and read by every later step. */
const MAX_VARS_BYTES = 64 * 1024;

/** Runs `transform.set`: evaluates each expression (sharing one budget) and records the values by name. */
export const executeSetTransform = defineExecutor(setTransform, async (config, ctx) => {
  const budget = new EvalBudget();
  const values: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(config.vars)) {
    try {
      values[name] = evaluateCel(source, ctx.vars, { budget });
    } catch (error) {
      return { type: 'fail', error: `vars.${name} could not be computed: ${(error as Error).message}` };
    }
  }
  const size = Buffer.byteLength(JSON.stringify(values));
  if (size > MAX_VARS_BYTES) {
    return { type: 'fail', error: `the variables take ${Math.ceil(size / 1024)} KB of JSON, more than the ${MAX_VARS_BYTES / 1024} KB limit` };
  }
  return { type: 'next', port: 'out', output: values };
});
