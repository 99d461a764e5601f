import type { ExecutionDetail } from '../../../shared/api-views.js';
import { api, ApiError, call, idParam } from '../api/client.js';
import { deliveryTestInput } from '../events/test-payload.js';
import { UseAsTestPayloadButton } from '../events/UseAsTestPayload.js';
import { usePolling } from '../ui/usePolling.js';

/**
 * "Use as test payload" on a run: the body of the event that started it (a webhook delivery, the
 * payload of a manual run, or a schedule tick's payload: each is what its source node reads)
 * becomes the test input of the run's source node in the flow's editor. Disabled, saying why,
 * when that event has expired or its body cannot be tested.
 */
export function RunTestPayload({ run, flowName }: { run: ExecutionDetail; flowName: string }) {
  // An event never changes once written: load it once.
  const event = usePolling(() => call(api.events[':id'].$get(idParam(run.eventId))), 0, [run.eventId]);
  const input = event.data ? deliveryTestInput(event.data, run.sourceNodeId) : null;
  const unusable = event.error
    ? event.error instanceof ApiError && event.error.status === 404
      ? 'the event that started this run is no longer stored'
      : `loading the event that started this run failed (${event.error.message})`
    : !input
      ? 'loading…'
      : 'reason' in input
        ? input.reason
        : null;
  return (
    <UseAsTestPayloadButton
      flowId={run.flowId}
      flowName={flowName}
      unusable={unusable}
      resolve={async () => input ?? { reason: 'it is still loading' }}
      testId="run-test-payload"
    />
  );
}
