import type { Alert } from '../../../shared/alert/schema.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { SimulatedAlert } from '../../../shared/api-views.js';

export type { FlowSummary, SimulatedAlert, SimulatedStep, StoredFlow } from '../../../shared/api-views.js';

/**
 * Shapes of the runtime's API answers as docs/api.md documents them. The flow document and the
 * alert come from shared/ (one definition); these envelopes are the runtime's views.
 */

export const EXECUTION_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'needs_attention', 'cancelled', 'timed_out'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const ACTIVE_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['queued', 'running', 'waiting'];

export type StepStatus = 'pending' | 'intent' | 'waiting' | 'succeeded' | 'failed' | 'unknown' | 'cancelled';

export interface Execution {
  id: string;
  flowId: string;
  flowRevision: number;
  eventId: string;
  sourceNodeId: string;
  status: ExecutionStatus;
  error: string | null;
  alert: Alert;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deadlineAt: string | null;
  /** When the alert this run answered was resolved (a resolved alert with its fingerprint arrived), or null. */
  alertResolvedAt: string | null;
}

export interface Step {
  id: string;
  seq: number;
  nodeId: string;
  nodeType: string;
  parentStepId: string | null;
  status: StepStatus;
  attempt: number;
  port: string | null;
  input: unknown;
  config: unknown;
  output: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  wakeAt: string | null;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timeout' | 'cancelled';

export interface ApprovalStepSummary {
  nodeId: string;
  nodeType: string;
  label: string;
  status: StepStatus;
  port: string | null;
  output: unknown;
  error: string | null;
  endedAt: string | null;
}

export interface ApprovalNext {
  nodeId: string;
  nodeType: string;
  label: string;
  rendered?: unknown;
  error?: string;
}

export interface Approval {
  id: string;
  executionId: string;
  stepId: string;
  nodeId: string;
  message: string;
  status: ApprovalStatus;
  createdAt: string;
  deadlineAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
  flowId?: string;
  flowName?: string;
  alert?: Alert;
  ran?: ApprovalStepSummary[];
  next?: ApprovalNext[];
}

export interface ExecutionDetail extends Execution {
  steps: Step[];
  approvals: Approval[];
  /** The flow exactly as it was when this execution ran (its revision). */
  flow: Flow | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface SimulateResult {
  flowId: string;
  alerts: SimulatedAlert[];
}
