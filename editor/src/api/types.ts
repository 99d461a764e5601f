import type { Alert } from '../../../shared/alert/schema.js';
import type { Flow } from '../../../shared/flow/schema.js';

/**
 * Shapes of the runtime's API answers as docs/api.md documents them. The flow document and the
 * alert come from shared/ (one definition); these envelopes are the runtime's views.
 */

export interface FlowSummary {
  id: string;
  name: string;
  enabled: boolean;
  revision: number;
  updatedAt: string;
}

export interface StoredFlow {
  flow: Flow;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

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

export interface SimulatedStep {
  nodeId: string;
  type: string;
  status: 'taken' | 'error';
  port?: string;
  result?: unknown;
  rendered?: unknown;
  assumed?: boolean;
  error?: string;
}

export interface SimulatedAlert {
  alert: Alert;
  sourceNodeId: string;
  starts: boolean;
  steps: SimulatedStep[];
  skipped: string[];
  edges: { source: string; sourcePort: string; target: string }[];
}

export interface SimulateResult {
  flowId: string;
  alerts: SimulatedAlert[];
}
