import { defineExecutor } from '../../executor.js';
import { evaluateCondition } from '../expr/execute.js';
import { compileMatchers, matchCondition } from './definition.js';

/** Runs `condition.match`: `match` when every matcher holds for the alert's labels, else `nomatch`. */
export const executeMatchCondition = defineExecutor(matchCondition, async (config, ctx) => {
  const compiled = compileMatchers(config.matchers);
  if (!compiled.ok) return { type: 'fail', error: `matchers could not be read: ${compiled.message}` };
  const outcome = evaluateCondition(compiled.cel, ctx.vars);
  if (outcome.type !== 'next') return outcome;
  return { ...outcome, port: outcome.port === 'true' ? 'match' : 'nomatch' };
});
