import { defineExecutor } from '../../executor.js';
import { waitResolved } from './definition.js';

/** Runs `wait.resolved`: the engine parks the step until the run's alert resolves or `within` passes. */
export const executeWaitResolved = defineExecutor(waitResolved, async (config) => ({ type: 'wait-resolved', timeoutSeconds: config.within }));
