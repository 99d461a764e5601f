import { defineExecutor } from '../../executor.js';
import { callFlow, jsonBytes, MAX_CALL_INPUT_BYTES } from './definition.js';

/**
 * Runs `flow.call`: asks the engine to start the called flow as a child run and park this step
 * until it ends (runtime/engine/dispatch/calls.ts). Nothing is started here: the engine creates
 * the child in the same commit that records this outcome, so a crash never leaves one without
 * the other.
 */
export const executeCallFlow = defineExecutor(callFlow, async (config) => {
  // Rendering templates can make the input larger than the config was.
  const size = jsonBytes(config.input);
  if (size > MAX_CALL_INPUT_BYTES) {
    return { type: 'fail', port: 'error', error: `the rendered input is ${size} bytes; at most ${MAX_CALL_INPUT_BYTES} may be passed to a called flow` };
  }
  return { type: 'call', flowId: config.flow, input: config.input, ...(config.timeoutSeconds ? { timeoutSeconds: config.timeoutSeconds } : {}) };
});
