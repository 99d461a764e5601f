import type { Step } from '../../shared/api-views.js';
import type { StepStatus } from '../../shared/statuses.js';

/**
 * Steps of a run as `GET /api/executions/:id` lists them, for the editor's run-view tests: ids
 * and `seq` count up from 1 per sequence (`reset()` starts again), `parent` links the step the
 * token came from.
 */
export function stepSequence() {
  let seq = 0;
  const step = (nodeId: string, nodeType: string, status: StepStatus, port: string | null, parent?: Step): Step => {
    seq++;
    return {
      id: `st_${seq}`,
      seq,
      nodeId,
      nodeType,
      parentStepId: parent?.id ?? null,
      status,
      attempt: 1,
      port,
      input: null,
      config: null,
      output: null,
      error: null,
      createdAt: '2026-05-01T12:00:00.000Z',
      startedAt: null,
      endedAt: null,
      wakeAt: null,
    waitReason: null,
    scope: null,
    };
  };
  return {
    step,
    reset: () => {
      seq = 0;
    },
  };
}
