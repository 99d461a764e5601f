import type { Alert } from '../../shared/alert/schema.js';
import type { Executor } from '../executor.js';

/** The step of every source: it hands the alert it produced to the next nodes, through "out". */
export const passAlertOn: Executor<unknown, Alert> = async (_config, ctx) => ({ type: 'next', port: 'out', output: ctx.vars.alert });
