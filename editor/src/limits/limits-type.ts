/** TEMPORARY until the engine branch lands shared/flow/limits.ts: the contract's shape. */
export interface FlowLimits {
  maxRunsPerWindow?: { runs: number; window: number };
  target?: { key: string; cooldown?: number; maxConcurrent?: number };
  blastRadius?: { targets: number; window: number };
  breaker?: { failures: number; window: number };
  onHeld?: { flow: string };
}
export type LimitName = 'maxRunsPerWindow' | 'cooldown' | 'maxConcurrent' | 'blastRadius' | 'breaker';
import type { ExprScope } from '../../../shared/expr/types.js';
/** TEMPORARY: shared/flow/validate.ts TARGET_KEY_SCOPE on the engine branch. */
export const TARGET_KEY_SCOPE: ExprScope = { steps: new Map(), nodeIds: new Set(), self: 'limits', vars: new Set() };
/** TEMPORARY: shared/api-views.ts on the engine branch. */
export interface Guarded {
  targetKey?: string;
  held?: { limit: LimitName; reason: string; at: number };
  released?: { by: string; at: number; comment?: string };
}
export interface BreakerView {
  state: 'closed' | 'tripped';
  trippedAt?: number;
  failures?: { executionId: string; status: string; endedAt: number }[];
  resetBy?: string;
  resetAt?: number;
  policy?: { failures: number; window: number };
}
