import { evaluateCel } from '../../../shared/expr/index.js';
import { defineExecutor } from '../../executor.js';
import { foreachControl } from './definition.js';

/**
 * Runs `control.foreach`: evaluates the list and hands it to the engine, which runs the `each`
 * branch per item (runtime/engine/dispatch/loops.ts). A value that is not a list, or one longer
 * than `maxItems`, fails the step before any item runs.
 */
export const executeForeachControl = defineExecutor(foreachControl, async (config, ctx) => {
  let items: unknown;
  try {
    items = evaluateCel(config.items, ctx.vars);
  } catch (error) {
    return { type: 'fail', error: `items could not be computed: ${(error as Error).message}` };
  }
  if (!Array.isArray(items)) {
    return { type: 'fail', error: `items gave ${items === null ? 'null' : typeof items}, not a list` };
  }
  if (items.length > config.maxItems) {
    return { type: 'fail', error: `items gave ${items.length} items, more than maxItems (${config.maxItems}); no item ran` };
  }
  return { type: 'foreach', items };
});
