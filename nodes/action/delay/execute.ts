import { defineExecutor } from '../../executor.js';
import { delayAction } from './definition.js';

export const executeDelay = defineExecutor(delayAction, async (config, ctx) => ({
  type: 'wait-until',
  until: new Date(ctx.now().getTime() + config.seconds * 1000),
  port: 'done',
  output: { waitedSeconds: config.seconds },
}));
