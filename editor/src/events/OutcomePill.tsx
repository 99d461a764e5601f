import type { EventOutcome } from '../../../shared/event-log.js';
import { OUTCOME_LABELS } from './describe.js';

/** The outcome as a `.status` pill, coloured like run statuses (green ran, red refused…). */
export function OutcomePill({ outcome, testId }: { outcome: EventOutcome; testId?: string }) {
  const o = OUTCOME_LABELS[outcome];
  return (
    <span className={`status ${o.tone} outcome`} data-testid={testId} data-outcome={outcome} title={o.help}>
      {o.label}
    </span>
  );
}
