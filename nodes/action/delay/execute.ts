import { defineExecutor } from '../../executor.js';
import { delayAction } from './definition.js';

/** Runs `action.delay`: parks the execution until now + `seconds`, then continues on `done`. */
export const executeDelayAction = defineExecutor(delayAction, async (config, ctx) => ({
  type: 'wait-until',
  until: new Date(ctx.now().getTime() + config.seconds * 1000),
  port: 'done',
  output: { waitedSeconds: config.seconds },
}));
