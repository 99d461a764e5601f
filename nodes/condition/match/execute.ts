import { evaluateCelBool, matchersToCel } from '../../../shared/expr/index.js';
import { defineExecutor } from '../../executor.js';
import { matchCondition } from './definition.js';

export const executeMatch = defineExecutor(matchCondition, async (config, ctx) => {
  try {
    const cel = matchersToCel(config.matchers);
    const matched = evaluateCelBool(cel, ctx.vars);
    return { type: 'next', port: matched ? 'match' : 'nomatch', output: { matched, cel } };
  } catch (error) {
    return { type: 'fail', error: (error as Error).message };
  }
});
