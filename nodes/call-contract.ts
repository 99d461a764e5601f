import { z } from 'zod';
import { EXECUTION_STATUSES } from '../shared/statuses.js';

/**
 * What the engine and a node type that calls another flow agree on (the type's definition
 * declares `calledFlow`, its executor returns a `call` outcome, nodes/executor.ts): how deep calls
 * may nest, and what the calling step records once the called run has ended. Browser-safe.
 */

/** How deep calls may nest: a run started by a call started by a call… at most this many levels. */
export const MAX_CALL_DEPTH = 8;

/** What a calling step records: the called run and how it ended. */
export const CalledRunOutputSchema = z.object({
  /** The called run (its page: #/runs/<executionId>); null when it could not start. */
  executionId: z.string().nullable(),
  flowId: z.string(),
  /** How the called run ended (`queued` while the step waits; null when it never started). */
  status: z.enum(EXECUTION_STATUSES).nullable(),
  error: z.string().nullable(),
  /** The outputs of the called run's steps, by node id (its source node left out). */
  steps: z.record(z.string(), z.unknown()),
  /** The variables the called run's steps set (outside loops), by name: what a procedure returns. */
  vars: z.record(z.string(), z.unknown()).default({}),
});
export type CalledRunOutput = z.infer<typeof CalledRunOutputSchema>;
