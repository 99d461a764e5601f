import type { Alert } from './alert/schema.js';
import type { Flow } from './flow/schema.js';

/**
 * Shapes of API answers that the runtime builds and the editor reads, declared once here so
 * the two cannot drift apart. Pure types: no I/O, browser-safe.
 */

/** A stored flow as the API shows it. */
export interface StoredFlow {
  flow: Flow;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** One row of `GET /api/flows`. */
export interface FlowSummary {
  id: string;
  name: string;
  enabled: boolean;
  revision: number;
  updatedAt: string;
}

/** One node on a simulated path (`POST /api/flows/simulate`). */
export interface SimulatedStep {
  nodeId: string;
  type: string;
  status: 'taken' | 'error';
  port?: string;
  /** For conditions: what the expression returned. */
  result?: unknown;
  /** For actions and approvals: the config exactly as it would run (secrets as references). */
  rendered?: unknown;
  /** True when the port is assumed (side-effecting nodes are never run in simulation). */
  assumed?: boolean;
  error?: string;
}

/** What a flow would do with one alert of a simulated delivery. */
export interface SimulatedAlert {
  alert: Alert;
  sourceNodeId: string;
  /** False when the source would not start the flow (e.g. a resolved alert with `on: firing`). */
  starts: boolean;
  steps: SimulatedStep[];
  skipped: string[];
  edges: { source: string; sourcePort: string; target: string }[];
}
